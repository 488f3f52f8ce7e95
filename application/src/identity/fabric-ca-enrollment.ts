import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:https';
import { certificateRequestPem } from './certificate-request';

/** Where and as whom to enroll: the org's Fabric CA and one registered user. */
export interface EnrollmentRequest {
  /** `https://host:port` of the org's Fabric CA. */
  readonly caUrl: string;
  readonly caName: string;
  /** PEM of the CA's TLS root (the org CA certificate). */
  readonly caTlsRoot: string;
  readonly enrollmentId: string;
  readonly secret: string;
}

export interface EnrolledIdentity {
  readonly certificatePem: string;
  /** PKCS#8 PEM; generated here and never sent anywhere. */
  readonly privateKeyPem: string;
}

export class EnrollmentError extends Error {
  override readonly name = 'EnrollmentError';
}

/**
 * Enrolls a registered user with the Fabric CA's REST API (`POST /api/v1/enroll`, HTTP basic auth
 * with the enrollment secret): a fresh P-256 key pair stays here; only its CSR is sent. The
 * certificate carries the attributes registered with `:ecert` — the `role` the chaincode checks.
 */
export async function enrollWithFabricCa(enrollment: EnrollmentRequest): Promise<EnrolledIdentity> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const body = JSON.stringify({
    certificate_request: certificateRequestPem(privateKey, publicKey, enrollment.enrollmentId),
    caname: enrollment.caName,
  });
  const url = new URL('/api/v1/enroll', enrollment.caUrl);
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const call = request(
      url,
      {
        method: 'POST',
        ca: enrollment.caTlsRoot,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Basic ${Buffer.from(`${enrollment.enrollmentId}:${enrollment.secret}`).toString('base64')}`,
        },
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    call.on('timeout', () => call.destroy(new EnrollmentError(`the CA at ${url.origin} did not answer within 10 s`)));
    call.on('error', (error) =>
      reject(
        error instanceof EnrollmentError
          ? error
          : new EnrollmentError(`cannot reach the CA at ${url.origin}: ${error.message}`),
      ),
    );
    call.end(body);
  });
  let parsed: { success?: boolean; result?: { Cert?: string }; errors?: { message?: string }[] };
  try {
    parsed = JSON.parse(answer.text) as typeof parsed;
  } catch {
    throw new EnrollmentError(`the CA answered ${answer.status} with something that is not JSON`);
  }
  const certificate = parsed.result?.Cert;
  if (answer.status !== 201 && answer.status !== 200) {
    // The CA answers a used-up secret like a wrong one (401), and says which only in its own log.
    const hint =
      answer.status === 401 ? ' (a wrong secret, or one already used: secrets enroll a fixed number of times)' : '';
    throw new EnrollmentError(
      `enrolling ${enrollment.enrollmentId} failed (${answer.status}): ${(parsed.errors ?? []).map((error) => error.message).join('; ')}${hint}`,
    );
  }
  if (parsed.success !== true || certificate === undefined)
    throw new EnrollmentError(`enrolling ${enrollment.enrollmentId}: the CA returned no certificate`);
  return {
    certificatePem: Buffer.from(certificate, 'base64').toString('utf8'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
