import {
  type Credential,
  type DidDocument,
  type EnvelopedCredential,
  jwsOf,
  statusListBit,
  untpShapeProblems,
  verifyCredential,
} from '@tracelode/credentials';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCommand } from '../support/command';

export const VERIFY_CREDENTIAL_HELP = `Usage: tracelode verify-credential <credential> --did-document FILE [--status-list FILE] [--json]

Checks a credential the ledger issued (GET /batches/{id}/passport or /traceability-events, in their
default enveloped form or as the bare JWS) offline, with no ledger running:
  1. the JWS (VC-JOSE-COSE, typ vc-ld+jwt, EdDSA) against the key of the issuer's DID document,
  2. the credential's shape against the required properties of its UNTP v0.6 data model,
  3. with --status-list, its revocation bit in that Bitstring Status List (itself verified the same way).
Prints what it proves and VERIFIED, or what failed (FAILED) or REVOKED, exiting 0, 1 or 1; 2 on a usage
error.

Options:
  --did-document FILE  the issuer's DID document (GET /.well-known/did.json of TRACELODE_PUBLIC_URL)
  --status-list FILE   the status list credential the credential names (its credentialStatus)
  --json               print the verdict as JSON`;

interface Options {
  readonly file: string;
  readonly didDocument: string;
  readonly statusList: string | undefined;
  readonly json: boolean;
}

export function verifyCredentialCommand(args: string[]): Promise<number> {
  return runCommand('verify-credential', VERIFY_CREDENTIAL_HELP, () => parseOptions(args), run);
}

function parseOptions(args: string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'did-document': { type: 'string' },
      'status-list': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new Error('give exactly one credential file');
  if (!values['did-document']) throw new Error('give the issuer’s DID document with --did-document');
  return {
    file: positionals[0]!,
    didDocument: values['did-document'],
    statusList: values['status-list'],
    json: values.json ?? false,
  };
}

/** A file holding an enveloped credential (JSON) or a bare compact JWS. */
function readJws(path: string): string {
  const text = readFileSync(path, 'utf8').trim();
  return text.startsWith('{') ? jwsOf(JSON.parse(text) as EnvelopedCredential) : jwsOf(text);
}

/** Outcomes, not refusal codes: printed as the last line. */
const OUTCOMES = ['VERIFIED', 'FAILED', 'REVOKED'] as const;

interface Verdict {
  readonly verdict: (typeof OUTCOMES)[number];
  readonly checks: string[];
  readonly proves: string[];
  readonly problem?: string;
}

async function run(options: Options): Promise<number> {
  const did = JSON.parse(readFileSync(options.didDocument, 'utf8')) as DidDocument;
  const checks: string[] = [];
  const verdict = await judge(options, did, checks);
  if (options.json) console.log(JSON.stringify(verdict, null, 2));
  else {
    for (const line of verdict.checks) console.log(`  ✔ ${line}`);
    for (const line of verdict.proves) console.log(`  • ${line}`);
    console.log(verdict.problem ? `${verdict.verdict}: ${verdict.problem}` : verdict.verdict);
  }
  return verdict.verdict === OUTCOMES[0] ? 0 : 1;
}

async function judge(options: Options, did: DidDocument, checks: string[]): Promise<Verdict> {
  let credential: Credential;
  try {
    credential = await verifyCredential(readJws(options.file), did);
  } catch (error) {
    return { verdict: 'FAILED', checks, proves: [], problem: (error as Error).message };
  }
  checks.push(`signature: EdDSA by ${String(did.verificationMethod[0]?.id)}, the issuer ${did.id}`);
  const problems = untpShapeProblems(credential);
  if (problems.length > 0)
    return { verdict: 'FAILED', checks, proves: [], problem: `shape: ${problems.join('; ')}` };
  checks.push(`shape: every required property of ${credential.type[0]} (UNTP v0.6) present, with its type`);
  const proves = whatItProves(credential);
  if (!options.statusList)
    return { verdict: 'VERIFIED', checks, proves: [...proves, 'status: not checked (no --status-list)'] };
  const status = credential.credentialStatus;
  if (!status) return { verdict: 'FAILED', checks, proves, problem: 'the credential names no status list' };
  let list: Credential;
  try {
    list = await verifyCredential(readJws(options.statusList), did);
  } catch (error) {
    return { verdict: 'FAILED', checks, proves, problem: `status list: ${(error as Error).message}` };
  }
  if (list.id !== status.statusListCredential)
    return {
      verdict: 'FAILED',
      checks,
      proves,
      problem: `the status list is ${list.id}, not ${status.statusListCredential}`,
    };
  const subject = list.credentialSubject as { encodedList: string; statusPurpose: string };
  if (statusListBit(subject.encodedList, Number(status.statusListIndex)))
    return {
      verdict: 'REVOKED',
      checks,
      proves,
      problem: `bit ${status.statusListIndex} of ${list.id} is set (${subject.statusPurpose}), as of ${list.validFrom}`,
    };
  checks.push(`status: bit ${status.statusListIndex} of ${list.id} not set, as of ${list.validFrom}`);
  return { verdict: 'VERIFIED', checks, proves };
}

function whatItProves(credential: Credential): string[] {
  const issued = `issued ${credential.validFrom} by ${credential.issuer.name}`;
  if (credential.type.includes('DigitalProductPassport')) {
    const subject = credential.credentialSubject as {
      product: { name: string; batchNumber?: string };
      materialsProvenance?: { originCountry?: string; massFraction?: number }[];
      emissionsScorecard?: { carbonFootprint: number; declaredUnit: string; operationalScope: string };
      conformityClaim?: {
        referenceStandard?: { name?: string };
        chainOfCustodyModel?: string;
        certifiedShare?: number;
      }[];
    };
    const origins = (subject.materialsProvenance ?? [])
      .map((material) => `${material.originCountry} ${((material.massFraction ?? 0) * 100).toFixed(2)}%`)
      .join(', ');
    const emissions = subject.emissionsScorecard;
    return [
      `product passport of ${subject.product.name}, batch ${subject.product.batchNumber}, ${issued}`,
      `origins by mass: ${origins || 'none'}`,
      ...(emissions
        ? [
            `carbon: ${emissions.carbonFootprint} kg CO2e per ${emissions.declaredUnit}, ${emissions.operationalScope}`,
          ]
        : []),
      ...(subject.conformityClaim ?? []).map(
        (claim) =>
          `claim: ${claim.referenceStandard?.name} — ${claim.chainOfCustodyModel}, certified share ${claim.certifiedShare}`,
      ),
    ];
  }
  if (credential.type.includes('DigitalTraceabilityEvent')) {
    const events = credential.credentialSubject as { type: string[] }[];
    const counts = new Map<string, number>();
    for (const event of events) counts.set(event.type[0]!, (counts.get(event.type[0]!) ?? 0) + 1);
    return [
      `${events.length} traceability events, ${issued}: ${[...counts].map(([type, n]) => `${type} ×${n}`).join(', ')}`,
    ];
  }
  return [issued];
}
