import { Injectable, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService } from '@nestjs/core';
import { commandContext } from '../auth/request-context.decorators';
import { COMMAND_TYPES, routeKey } from './request-facts';

interface RouteArgument {
  readonly factory?: unknown;
  readonly data?: unknown;
}

/**
 * Which command each route runs, read once from the controllers: the `commandType` its handler gives
 * `@CommandContext(...)`. Known by route rather than when the handler runs, so a command refused before
 * it (a missing key, a bad signature: the guards; a key refused at the edge) is still named in the log
 * and counted under its type.
 */
@Injectable()
export class CommandRoutes implements OnApplicationBootstrap {
  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!type) continue;
      const prefixes = paths(Reflect.getMetadata(PATH_METADATA, type));
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) ?? {}) as Record<
          string,
          RouteArgument
        >;
        const commandType = Object.values(args).find((arg) => arg.factory === commandContext)?.data;
        if (typeof commandType !== 'string') continue;
        for (const prefix of prefixes) {
          for (const path of paths(Reflect.getMetadata(PATH_METADATA, handler))) {
            COMMAND_TYPES.set(routeKey(RequestMethod[method], `${prefix}/${path}`), commandType);
          }
        }
      }
    }
  }
}

function paths(metadata: unknown): string[] {
  if (Array.isArray(metadata)) return metadata.map(String);
  return [typeof metadata === 'string' ? metadata : ''];
}
