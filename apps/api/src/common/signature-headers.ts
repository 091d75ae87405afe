import type { OpenAPIObject } from '@nestjs/swagger';

/** The RFC 9421 / RFC 9530 fields of a signed command, as OpenAPI header parameters. */
const SIGNATURE_HEADERS = [
  {
    name: 'Content-Digest',
    description: 'RFC 9530 digest of the raw body, e.g. sha-256=:…: (signed commands)',
  },
  {
    name: 'Signature-Input',
    description:
      'RFC 9421, required once your organisation has a signing key: ' +
      'sig1=("@method" "@path" "content-digest");created=…;keyid="…";alg="ed25519"',
  },
  { name: 'Signature', description: 'RFC 9421: sig1=:<base64 Ed25519 signature>:' },
].map((header) => ({
  ...header,
  in: 'header' as const,
  required: false,
  schema: { type: 'string' as const },
}));

/** Every command (POST) route may need a signature: document its three header fields on each. */
export function withSignatureHeaders(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    if (path.post) path.post.parameters = [...(path.post.parameters ?? []), ...SIGNATURE_HEADERS];
  }
  return document;
}
