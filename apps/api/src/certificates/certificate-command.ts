import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type CertificateCommand,
  decideCertificate,
  evolveCertificate,
  initialCertificateState,
  toCertificateStreamId,
} from '@tracelode/domain';
import { CommandExecutor } from '../ledger/command-executor';
import type { CommandMeta } from '../ledger/command-meta';

/** A certifier's command on one certificate stream (issue, suspend, reinstate, revoke). */
export class CertificateCommandMessage<Result extends Record<string, unknown>> extends Command<
  Result & { position: string }
> {
  constructor(
    readonly command: CertificateCommand,
    readonly meta: CommandMeta,
    /** The response, apart from `position`. */
    readonly result: Result,
  ) {
    super();
  }
}

@CommandHandler(CertificateCommandMessage)
export class CertificateCommandHandler implements ICommandHandler<
  CertificateCommandMessage<Record<string, unknown>>
> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ command, meta, result }: CertificateCommandMessage<Record<string, unknown>>) {
    return this.executor.execute(meta, async (session) => {
      const stream = toCertificateStreamId(command.data.certificateId);
      const state = await session.load(stream, evolveCertificate, initialCertificateState());
      session.emit(
        stream,
        decideCertificate(command, state, { actor: meta.actor, recordedAt: meta.recordedAt }),
      );
      return result;
    });
  }
}
