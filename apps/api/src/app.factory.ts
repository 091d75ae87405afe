import { type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AuthenticatedRequest } from './auth/api-key.guard';
import { AppModule } from './app.module';
import { LedgerValidationPipe } from './common/ledger-validation.pipe';
import { ProblemDetailsFilter } from './common/problem-details';
import { withSignatureHeaders } from './common/signature-headers';
import type { LedgerConfig } from './config/ledger-config';
import { apiProblem } from './common/problem-details';
import { httpInputLimits } from './common/http-limits';
import { BodyRefusal, parseJsonBody } from './common/json-body';

const LOG_LEVELS: Record<LedgerConfig['logLevel'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/** The ledger API, configured but not yet listening (tests and the CLI listen where they choose). */
export async function createApp(config: LedgerConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: 1024 * 1024,
    ...httpInputLimits(), // ids of every valid length in paths; 414 and 431 as problem+json
  });
  acceptJsonBodiesOnly(adapter);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: LOG_LEVELS[config.logLevel],
    bodyParser: false, // acceptJsonBodiesOnly registers the one parser
  });
  app.useGlobalPipes(new LedgerValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  const openApi = new DocumentBuilder()
    .setTitle('Tracelode ledger API')
    .setDescription(
      'Event-sourced chain of custody for rare earths and critical minerals. Every route but /health needs ' +
        '`Authorization: Bearer <api key>`. Errors are RFC 9457 problem+json with a stable `code`. Once an ' +
        'organisation registers a signing key (POST /orgs/{orgId}/keys), each of its commands must also carry an ' +
        'RFC 9421 signature (Content-Digest, Signature-Input, Signature headers; see `tracelode sign`).',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => withSignatureHeaders(SwaggerModule.createDocument(app, openApi)), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  return app;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Commands are JSON: any other media type is refused with 415 before a route runs, and a body that is
 * not valid JSON (or not UTF-8, which JSON must be) gets the stable code MALFORMED_JSON rather than the
 * parser's message alone; its depth, numbers and keys are bounded by `parseJsonBody`. The raw bytes stay
 * on the request for signature checks.
 */
function acceptJsonBodiesOnly(adapter: FastifyAdapter): void {
  const fastify = adapter.getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const raw = body as Buffer;
      (request as AuthenticatedRequest).rawBody = raw;
      const text = UTF8.decode(raw);
      done(null, text === '' ? undefined : parseJsonBody(text));
    } catch (error) {
      if (error instanceof BodyRefusal) return done(apiProblem(error.code, error.message), undefined);
      done(
        apiProblem('MALFORMED_JSON', `The body is not valid JSON: ${(error as Error).message}`),
        undefined,
      );
    }
  });
}
