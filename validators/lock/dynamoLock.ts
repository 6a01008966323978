import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { randomUUID } from "node:crypto";
import { LOCK_TABLE_KEY, LOCK_TTL_ATTRIBUTE } from "../../contract/names";
import { type LockHandle, type LockInfo, type LockRequest, LockError, type StackLock, type TryAcquireResult } from "./types";

export { LOCK_TABLE_KEY } from "../../contract/names";

/**
 * The stack lock as one DynamoDB item per stack, written with a conditional PutItem that succeeds
 * only when no item exists or its lease has expired (`expiresEpoch < now`): exactly one of several
 * concurrent callers wins. Renew (a conditional PutItem) and release (a conditional DeleteItem) need
 * the owner token, so the lock needs only GetItem, PutItem and DeleteItem. `expiresEpoch` is a
 * number so the table uses it as its TTL attribute.
 */
export class DynamoStackLock implements StackLock {
  readonly location: string;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.location = `dynamodb:${table}`;
  }

  async tryAcquire(request: LockRequest): Promise<TryAcquireResult> {
    const now = this.now();
    const info: LockInfo = {
      stack: request.stack,
      who: request.who,
      what: request.what,
      since: now.toISOString(),
      expires: new Date(now.getTime() + request.leaseSeconds * 1000).toISOString(),
      token: randomUUID(),
    };
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem(info),
          ConditionExpression: `attribute_not_exists(${LOCK_TABLE_KEY}) OR ${LOCK_TTL_ATTRIBUTE} < :now`,
          ExpressionAttributeValues: { ":now": { N: String(epoch(now)) } },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return { acquired: false, holder: await this.holder(request.stack) };
      throw new LockError(`cannot take the lock of stack ${request.stack} in table ${this.table}: ${describe(err)}`, { cause: err });
    }
    return { acquired: true, handle: this.handle(info, request.leaseSeconds) };
  }

  private handle(initial: LockInfo, leaseSeconds: number): LockHandle {
    let info = initial;
    const key = { [LOCK_TABLE_KEY]: { S: initial.stack } };
    const owned = { ":token": { S: initial.token } };
    return {
      get info() {
        return info;
      },
      renew: async () => {
        const next = { ...info, expires: new Date(this.now().getTime() + leaseSeconds * 1000).toISOString() };
        try {
          // A conditional PutItem (not UpdateItem): the lock needs only GetItem, PutItem and DeleteItem.
          await this.dynamodb.send(
            new PutItemCommand({
              TableName: this.table,
              Item: toItem(next),
              ConditionExpression: "ownerToken = :token",
              ExpressionAttributeValues: owned,
            }),
          );
        } catch (err) {
          const reason = err instanceof ConditionalCheckFailedException ? "the lock was taken over by another run" : describe(err);
          throw new LockError(`cannot renew the lock of stack ${initial.stack}: ${reason}`, { cause: err });
        }
        info = next;
      },
      release: async () => {
        try {
          await this.dynamodb.send(
            new DeleteItemCommand({
              TableName: this.table,
              Key: key,
              ConditionExpression: "ownerToken = :token",
              ExpressionAttributeValues: owned,
            }),
          );
          return true;
        } catch (err) {
          if (err instanceof ConditionalCheckFailedException) return false;
          throw new LockError(`cannot release the lock of stack ${initial.stack}: ${describe(err)}`, { cause: err });
        }
      },
    };
  }

  private async holder(stack: string): Promise<LockInfo | undefined> {
    try {
      const out = await this.dynamodb.send(
        new GetItemCommand({ TableName: this.table, Key: { [LOCK_TABLE_KEY]: { S: stack } }, ConsistentRead: true }),
      );
      return out.Item ? fromItem(out.Item) : undefined;
    } catch (err) {
      throw new LockError(`cannot read the lock of stack ${stack} in table ${this.table}: ${describe(err)}`, { cause: err });
    }
  }
}

function toItem(info: LockInfo): Record<string, AttributeValue> {
  return {
    [LOCK_TABLE_KEY]: { S: info.stack },
    who: { S: info.who },
    what: { S: info.what },
    since: { S: info.since },
    expires: { S: info.expires },
    [LOCK_TTL_ATTRIBUTE]: { N: String(epoch(new Date(info.expires))) },
    ownerToken: { S: info.token },
  };
}

function fromItem(item: Record<string, AttributeValue>): LockInfo {
  return {
    stack: item[LOCK_TABLE_KEY]?.S ?? "",
    who: item.who?.S ?? "unknown",
    what: item.what?.S ?? "unknown",
    since: item.since?.S ?? "unknown",
    expires: item.expires?.S ?? "unknown",
    token: item.ownerToken?.S ?? "",
  };
}

function epoch(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
