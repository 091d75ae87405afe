import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideOrganisation,
  evolveOrganisation,
  initialOrganisationState,
  toOrgStreamId,
} from '@tracelode/domain';
import { CommandExecutor } from '../../ledger/command-executor';
import { RegisterFacilityCommand } from './register-facility.command';
import type { RegisterFacilityResponse } from './register-facility.dto';

@CommandHandler(RegisterFacilityCommand)
export class RegisterFacilityHandler implements ICommandHandler<RegisterFacilityCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ orgId, payload, meta }: RegisterFacilityCommand): Promise<RegisterFacilityResponse> {
    return this.executor.execute(meta, async (session) => {
      const stream = toOrgStreamId(orgId);
      const state = await session.load(stream, evolveOrganisation, initialOrganisationState());
      const { lat, lon, ...facility } = payload;
      const data = {
        orgId,
        ...facility,
        ...(lat !== undefined ? { lat } : {}),
        ...(lon !== undefined ? { lon } : {}),
      };
      session.emit(stream, decideOrganisation({ type: 'RegisterFacility', data }, state, meta.actor));
      return { orgId, facilityId: payload.facilityId };
    });
  }
}
