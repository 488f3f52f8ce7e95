"""Schemathesis hooks for the AI Audit Ledger REST app (loaded through SCHEMATHESIS_HOOKS).

1. The OpenAPI document states in words (`x-rules`) the few rules between fields that JSON Schema
   cannot state (comparisons of two values). A generated request that breaks one is neither valid
   nor invalid by the schema alone, so it is dropped: every rule the document names must be known
   here, or the run fails (a new rule has to be taught to the fuzzer too).
2. `ledger_field_refusal`: a schema-valid request that the chaincode refuses naming fields (422
   with `errors`) is a rule the document does not state. A 422 without field errors is a refusal by
   the ledger's state (an unknown subject, consent or artifact), which no document can state.
3. `after_call`: with `AAL_FUZZ_CALLS` naming a file, every call is logged there (see the hook).
"""

import json
import os
import re

import schemathesis

_DATE_TIME = re.compile(
    r"^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})$"
)


def _days_from_civil(year: int, month: int, day: int) -> int:
    # Howard Hinnant's algorithm: days since 1970-01-01 in the proleptic Gregorian calendar (year 0 included).
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _epoch_ms(text):
    """Milliseconds since the epoch, as JavaScript's Date.parse reads an RFC 3339 date-time; None if not one."""
    if not isinstance(text, str):
        return None
    match = _DATE_TIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    ms = int(((fraction or "") + "000")[:3])
    total = (
        ((_days_from_civil(int(year), int(month), int(day)) * 24 + int(hour)) * 60 + int(minute)) * 60 + int(second)
    ) * 1000 + ms
    if offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        total -= sign * (int(offset[1:3]) * 60 + int(offset[4:6])) * 60_000
    return total


def _end_not_before_start(record) -> bool:
    if not isinstance(record, dict):
        return True
    start, end = _epoch_ms(record.get("startTime")), _epoch_ms(record.get("endTime"))
    return start is None or end is None or end >= start


def _records(body):
    if isinstance(body, dict) and isinstance(body.get("records"), list):
        return body["records"]
    return [body]


def _period_end_after_start(body) -> bool:
    period = body.get("period") if isinstance(body, dict) else None
    if not isinstance(period, dict) or "end" not in period:
        return True
    start, end = _epoch_ms(period.get("start")), _epoch_ms(period.get("end"))
    return start is None or end is None or end > start


def _split(record_id):
    namespace, _, local = str(record_id).rpartition(":")
    return namespace, local


def _not_own_parent(body) -> bool:
    # A bare id names the registering org's artifact, whose MSP id the hooks do not know: a parent
    # that may be the artifact itself (same local part, one of them bare or both in one namespace) is dropped.
    if not isinstance(body, dict) or not isinstance(body.get("parents"), list):
        return True
    namespace, local = _split(body.get("id"))
    for parent in body["parents"]:
        parent_namespace, parent_local = _split(parent)
        if parent_local == local and (not namespace or not parent_namespace or namespace == parent_namespace):
            return False
    return True


def _unique_record_ids(body) -> bool:
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        return True
    ids = [record.get("id") for record in records if isinstance(record, dict)]
    return len(ids) == len(set(map(str, ids)))


def _by_and_value_together(query) -> bool:
    query = query or {}
    return ("by" in query) == ("value" in query)


def _from_not_after_to(query) -> bool:
    query = query or {}
    start, end = _epoch_ms(query.get("from")), _epoch_ms(query.get("to"))
    return start is None or end is None or start <= end


# Each rule the document states in words, and how a generated case is checked against it.
RULES = {
    "`endTime` must not be before `startTime`": lambda case: all(
        _end_not_before_start(record) for record in _records(case.body)
    ),
    "`period.end`, when given, must be after `period.start`": lambda case: _period_end_after_start(case.body),
    "`parents` must not contain the artifact's own `id` (a bare id names the registering org's artifact: `ds-1` and `<its MSP id>:ds-1` are one)": lambda case: _not_own_parent(
        case.body
    ),
    "each of `records[].id` appears once in the request": lambda case: _unique_record_ids(case.body),
    "`by` and `value` are given together, or neither": lambda case: _by_and_value_together(case.query),
    "`from` must not be after `to`": lambda case: _from_not_after_to(case.query),
}


@schemathesis.hook
def filter_case(context, case) -> bool:
    rules = case.operation.definition.raw.get("x-rules", [])
    unknown = [rule for rule in rules if rule not in RULES]
    if unknown:
        raise AssertionError(f"the fuzzer does not know these x-rules of {case.operation.label}: {unknown}")
    return all(RULES[rule](case) for rule in rules)


def _is_positive(case) -> bool:
    mode = getattr(getattr(case.meta, "generation", None), "mode", None)
    return getattr(mode, "value", mode) == "positive"


@schemathesis.hook
def map_case(context, case):
    """Cursors are opaque: only a previous answer's `nextCursor` is valid, which no generator can make.

    A schema-valid case drops its cursor and asks for the first page; schema-invalid cases keep
    theirs (a cursor over the length limit must still be refused).
    """
    if _is_positive(case) and isinstance(case.query, dict) and "cursor" in case.query:
        case.query = {name: value for name, value in case.query.items() if name != "cursor"}
    return case


@schemathesis.check
def ledger_field_refusal(ctx, response, case):
    """A schema-valid request the chaincode refuses as invalid input, naming fields: the document misses a rule.

    Only the chaincode's INVALID_ARGUMENT ("Rejected by the ledger") counts: preconditions on the
    ledger's state (an unregistered subject, a dataset that is a model, …) name fields too, but no
    document can state them.
    """
    if case.meta is None or response.status_code != 422 or not _is_positive(case):
        return None
    try:
        problem = response.json()
    except Exception:  # noqa: BLE001 - a 422 that is not JSON is reported by the content-type check
        return None
    if str(problem.get("type", "")).endswith("/rejected-by-the-ledger") and problem.get("errors"):
        raise AssertionError(f"schema-valid request refused by the chaincode naming fields: {problem['errors']}")
    return None


def _transaction_id(response):
    """The transaction an answer names: its `X-Transaction-Id` header, else `transactionId` in its JSON body."""
    header = (response.headers.get("x-transaction-id") or [None])[0]
    if header:
        return header
    # Parsed here, not with response.json(): that caches the parsed body, which the response checks
    # would then validate instead of skipping it (a one-line NDJSON export parses as JSON).
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/json"):
        return None
    try:
        body = json.loads(response.text)
    except Exception:  # noqa: BLE001 - an answer that is not JSON names no transaction
        return None
    value = body.get("transactionId") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


@schemathesis.hook
def after_call(context, case, response):
    """Logs every call (operation, generation mode, status, the transaction a 2xx answer names) as a JSON line.

    Written only when `AAL_FUZZ_CALLS` names a file: the API-fuzz test accounts with it for every
    transaction ordered while schema-invalid cases ran (Schemathesis lets a few "negative" cases
    through that are valid once serialized, and the app may accept those).
    """
    path = os.environ.get("AAL_FUZZ_CALLS")
    if not path:
        return
    mode = getattr(getattr(case.meta, "generation", None), "mode", None)
    line = {
        "operation": case.operation.label,
        "operationId": case.operation.definition.raw.get("operationId"),
        "method": case.method.upper(),
        "mode": getattr(mode, "value", mode),
        "status": response.status_code,
        "transactionId": _transaction_id(response) if 200 <= response.status_code < 300 else None,
    }
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")
