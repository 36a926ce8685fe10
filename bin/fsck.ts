/**
 * `greenkernel fsck IMAGE`: checks a gkfs image file with lib/fs/fsck.ts.
 *
 * Interface: main(argv) -> exit code (0 clean, 1 problems, 2 usage).
 * Invariants: the file is never written: a committed journal is replayed into a copy.
 */
import { readFileSync } from 'node:fs';
import { fsck, replayImage } from '../lib/fs/index.ts';
import { parseCommand, runAsProgram, stop, usageError } from './entry.ts';
import { FSCK_COMMAND } from './fs-args.ts';

/**
 * @example
 * process.exitCode = await main(['disk.img']);
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(FSCK_COMMAND, argv);
  if ('exit' in parsed) return stop(parsed);
  if (parsed.operands.length !== 1) return stop(usageError(FSCK_COMMAND, 'give exactly one IMAGE'));
  const bs = parsed.values['block-size'];
  if (bs !== undefined && !/^[1-9][0-9]*$/.test(bs))
    return stop(usageError(FSCK_COMMAND, `--block-size must be a number, got ${bs}`));
  const path = parsed.operands[0]!;
  let image: Uint8Array;
  try {
    image = new Uint8Array(readFileSync(path));
  } catch (error) {
    process.stderr.write(`greenkernel fsck: ${(error as Error).message}\n`);
    return 1;
  }
  if (bs !== undefined && image.length % Number(bs) !== 0) {
    process.stderr.write(`greenkernel fsck: ${path} is not a whole number of ${bs}-byte blocks\n`);
    return 1;
  }
  const replayed = replayImage(image);
  const problems = fsck(image);
  if (parsed.values.json === true) {
    process.stdout.write(`${JSON.stringify({ image: path, replayed, problems })}\n`);
  } else {
    if (replayed > 0) console.log(`${path}: replayed ${replayed} journal blocks (in memory)`);
    console.log(problems.length === 0 ? `${path}: clean` : problems.join('\n'));
    if (problems.length > 0) console.log(`${path}: ${problems.length} problem(s)`);
  }
  return problems.length === 0 ? 0 : 1;
}

runAsProgram(import.meta.url, main);
