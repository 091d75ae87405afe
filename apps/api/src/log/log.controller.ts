import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { LogNotary, publicKeyDocument, type PublicKeyDocument, type SignedCheckpoint } from '@tracelode/log';
import { apiProblem } from '../common/problem-details';
import { Public } from '../auth/api-key.guard';

/** A consistency or inclusion proof as served: hashes in hex. */
interface InclusionProof {
  readonly eventId: string;
  readonly position: number;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly eventHash: string;
  readonly leafHash: string;
  readonly rootHash: string;
  readonly proof: readonly string[];
  /** The signed checkpoint of this tree size, when there is one. */
  readonly checkpoint: SignedCheckpoint | null;
}

interface ConsistencyProof {
  readonly from: number;
  readonly to: number;
  readonly fromRootHash: string;
  readonly toRootHash: string;
  readonly proof: readonly string[];
}

const SIZE = /^[1-9]\d{0,15}$/;

/**
 * The verifiable log, readable by anyone (no API key): the ledger's public key, its signed checkpoints,
 * and RFC 9162 inclusion and consistency proofs against them. Proofs reveal hashes only.
 */
@ApiTags('verifiable log')
@Public()
@Controller('log')
export class LogController {
  constructor(private readonly notary: LogNotary) {}

  @Get('public-key')
  @ApiOperation({ summary: 'The ledger’s Ed25519 checkpoint-signing key (JWK and PEM) and its key id' })
  publicKey(): PublicKeyDocument {
    return publicKeyDocument(this.notary.signer.publicKey);
  }

  @Get('checkpoint')
  @ApiOperation({ summary: 'The latest signed checkpoint {treeSize, rootHash, timestamp, keyId, signature}' })
  checkpoint(): SignedCheckpoint {
    this.healthy();
    const latest = this.notary.latestCheckpoint();
    if (!latest)
      throw apiProblem('NO_CHECKPOINT', 'The ledger has not signed a checkpoint yet (the log is empty)');
    return latest;
  }

  @Get('checkpoints')
  @ApiOperation({
    summary: 'Signed checkpoints from a tree size upwards, oldest first (at most `limit`, ≤ 1000)',
  })
  @ApiQuery({ name: 'from', required: false, description: 'Smallest tree size (default 1)' })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: 'Most checkpoints returned (default 100, at most 1000)',
  })
  checkpoints(@Query('from') from?: string, @Query('limit') limit?: string): SignedCheckpoint[] {
    const smallest = from === undefined ? 1 : this.size('from', from);
    const most = limit === undefined ? 100 : this.size('limit', limit);
    if (most > 1000) throw apiProblem('INVALID_LIMIT', 'limit must be at most 1000');
    return this.notary.checkpoints(smallest, most);
  }

  @Get('proofs/inclusion')
  @ApiOperation({ summary: 'RFC 9162 inclusion proof of an event in the tree of a given size' })
  @ApiQuery({ name: 'eventId', required: true })
  @ApiQuery({ name: 'treeSize', required: false, description: 'Default: the latest checkpoint’s tree size' })
  @ApiOkResponse({ description: 'The audit path (hex), the leaf and root hashes, the checkpoint if signed' })
  inclusion(@Query('eventId') eventId?: string, @Query('treeSize') treeSize?: string): InclusionProof {
    this.healthy();
    if (!eventId) throw apiProblem('INVALID_EVENT_ID', 'eventId is required');
    const size = treeSize === undefined ? this.checkpoint().treeSize : this.size('treeSize', treeSize);
    this.withinTree(size);
    const position = this.notary.positionOf(eventId);
    if (position === undefined) throw apiProblem('EVENT_NOT_FOUND', `No event ${eventId} is in the log`);
    if (position > size) {
      throw apiProblem(
        'EVENT_NOT_IN_TREE',
        `Event ${eventId} is at position ${position}, after tree size ${size}`,
      );
    }
    const leaf = this.notary.leaf(position);
    return {
      eventId,
      position,
      leafIndex: position - 1,
      treeSize: size,
      eventHash: this.notary.eventHashAt(position),
      leafHash: leaf.toString('hex'),
      rootHash: this.notary.root(size).toString('hex'),
      proof: this.notary.inclusionProof(position, size).map((hash) => hash.toString('hex')),
      checkpoint: this.notary.checkpointAt(size) ?? null,
    };
  }

  @Get('proofs/consistency')
  @ApiOperation({
    summary: 'RFC 9162 consistency proof that the tree of size `from` is a prefix of the tree of size `to`',
  })
  @ApiQuery({ name: 'from', required: true })
  @ApiQuery({ name: 'to', required: false, description: 'Default: the latest checkpoint’s tree size' })
  consistency(@Query('from') from?: string, @Query('to') to?: string): ConsistencyProof {
    this.healthy();
    if (from === undefined) throw apiProblem('INVALID_TREE_SIZE', 'from is required');
    const first = this.size('from', from);
    const second = to === undefined ? this.checkpoint().treeSize : this.size('to', to);
    if (first > second)
      throw apiProblem('INVALID_TREE_SIZE', `from (${first}) must not exceed to (${second})`);
    this.withinTree(second);
    return {
      from: first,
      to: second,
      fromRootHash: this.notary.root(first).toString('hex'),
      toRootHash: this.notary.root(second).toString('hex'),
      proof: this.notary.consistencyProof(first, second).map((hash) => hash.toString('hex')),
    };
  }

  private size(name: string, text: string): number {
    if (!SIZE.test(text)) throw apiProblem('INVALID_TREE_SIZE', `${name} must be a positive whole number`);
    return Number(text);
  }

  private withinTree(size: number): void {
    if (size > this.notary.size) {
      throw apiProblem(
        'TREE_SIZE_BEYOND_LOG',
        `The tree has ${this.notary.size} events so far; no proof can be made for size ${size}`,
      );
    }
  }

  private healthy(): void {
    const failure = this.notary.error;
    if (failure) throw apiProblem('LOG_INTEGRITY_FAILED', `The log cannot be notarised: ${failure.message}`);
  }
}
