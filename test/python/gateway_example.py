"""The AI gateway from Python: the official openai package, where only the base URL and headers change.

    AAL_GATEWAY_URL=http://127.0.0.1:17075/v1 AAL_GATEWAY_KEY=aal_... python3 gateway_example.py

Streams a chat completion to stdout; prints the ledger record's id (the gateway's
x-aal-interaction-id header) to stderr. AAL_MODEL picks the model (default gpt-4o);
AAL_SUBJECT_REF names the patient the call is about (then x-aal-purpose says why).
"""
import os
import sys

from openai import OpenAI

client = OpenAI(
    api_key=os.environ["AAL_GATEWAY_KEY"],
    base_url=os.environ["AAL_GATEWAY_URL"],
    default_headers={"x-aal-purpose": "ai-inference"},
    max_retries=0,
)
subject = os.environ.get("AAL_SUBJECT_REF")
raw = client.chat.completions.with_raw_response.create(
    model=os.environ.get("AAL_MODEL", "gpt-4o"),
    stream=True,
    messages=[{"role": "user", "content": "Summarise the triage note."}],
    extra_headers={"x-aal-subject-ref": subject} if subject else None,
)
for chunk in raw.parse():
    if chunk.choices:
        print(chunk.choices[0].delta.content or "", end="")
print()
print(f"interaction {raw.headers['x-aal-interaction-id']}", file=sys.stderr)
