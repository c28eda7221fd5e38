// The storage quota a teacher sets on a store (serve --quota): how many bytes its files may hold in all, how many they hold.

import { StoreError } from './fileStore';

/**
 * The bytes a store's files hold against the most they may hold. The store counts every change as it makes it:
 * a write takes bytes before they go to the file (never more than are left), a file removed, replaced, cut back
 * (REST + STOR) or renamed over gives its bytes back. All writers of a store share one quota, so uploads
 * running at once never pass it together. Bytes put there by anyone but the store are not seen after the start.
 */
export class StorageQuota {
  #usedBytes: number;

  constructor(
    readonly limitBytes: number,
    usedBytes: number,
  ) {
    this.#usedBytes = usedBytes;
  }

  get usedBytes(): number {
    return this.#usedBytes;
  }

  /** How many of `wanted` bytes may be written (all of them, some, or none); those are counted as used from now. */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.limitBytes - this.#usedBytes));
    this.#usedBytes += granted;
    return granted;
  }

  /** Bytes the store no longer holds (or never wrote after taking them). */
  release(bytes: number): void {
    this.#usedBytes = Math.max(0, this.#usedBytes - bytes);
  }

  /** The refusal for a write that found the quota used up (552, RFC 959 §4.2.1: exceeded storage allocation). */
  exceeded(virtual: string): StoreError {
    return new StoreError('overQuota', `${virtual}: the server's quota of ${this.limitBytes} bytes is used up`);
  }
}
