/**
 * FsError: what a file-system operation fails with — an errno-style code and the path or the
 * object concerned. A failed operation leaves the file system consistent and leaks no space
 * (each operation checks before it changes, or undoes within its own transaction).
 *
 * Interface: `new FsError(code, op, what, detail?)`, `fsError(code, ...)`.
 */
import { GreenkernelError, type ErrorCode } from '../index.ts';

/** The codes a file-system operation fails with. */
export type FsErrorCode = Extract<
  ErrorCode,
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'ENAMETOOLONG'
  | 'EFBIG'
  | 'EBADF'
  | 'EBUSY'
  | 'EUCLEAN'
  | 'ENOSPC'
  | 'EINVAL'
  | 'EIO'
>;

const PHRASE: Record<FsErrorCode, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOTEMPTY: 'directory not empty',
  ENAMETOOLONG: 'name too long',
  EFBIG: 'file too large',
  EBADF: 'stale file handle',
  EBUSY: 'busy',
  EUCLEAN: 'corrupt file system',
  ENOSPC: 'no space left on device',
  EINVAL: 'invalid argument',
  EIO: 'I/O error',
};

/** A file-system operation failed: `code` says why, `op` and `path` say where. */
export class FsError extends GreenkernelError {
  readonly op: string;
  readonly path: string;
  /**
   * @example
   * throw new FsError('ENOENT', 'unlink', '/a/b');
   */
  constructor(code: FsErrorCode, op: string, path: string, detail?: string) {
    super(code, `${op} ${path}: ${PHRASE[code]}${detail === undefined ? '' : ` (${detail})`}`);
    this.op = op;
    this.path = path;
  }
}
