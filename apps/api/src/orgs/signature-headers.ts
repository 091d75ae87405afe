import type { ApiHeaderOptions } from '@nestjs/swagger';

/** The RFC 9421 / RFC 9530 fields of a signed command, for the OpenAPI description of command routes. */
export const SIGNATURE_HEADERS = {
  contentDigest: {
    name: 'Content-Digest',
    required: false,
    description: 'RFC 9530 digest of the raw body, e.g. sha-256=:…: (signed commands only)',
  },
  signatureInput: {
    name: 'Signature-Input',
    required: false,
    description:
      'RFC 9421, required once your organisation has a signing key: sig1=("@method" "@path" "content-digest");created=…;keyid="…";alg="ed25519"',
  },
  signature: {
    name: 'Signature',
    required: false,
    description: 'RFC 9421: sig1=:<base64 Ed25519 signature>:',
  },
} satisfies Record<string, ApiHeaderOptions>;
