/**
 * Tests of bin/entry.ts: the one way the command line, the demos and the benchmarks read their
 * arguments (strict node:util.parseArgs) and describe them (usage text from the same Command).
 * The programs' own behaviour (exit codes, what goes where) is tested in cli.test.ts.
 */
import test from 'ava';
import { formatFlags, formatUsage, parseCommand, usageError, type Command } from '../bin/entry.ts';

const command: Command = {
  name: 'tool',
  summary: 'Does a thing.',
  operands: '[name...]',
  flags: {
    json: { type: 'string', value: 'FILE', help: 'write JSON' },
    list: { type: 'boolean', help: 'list' },
  },
};

test('parseCommand: typed values and operands, in any order', (t) => {
  t.deepEqual(parseCommand(command, ['a', '--json', '-', '--list', 'b']), {
    values: { json: '-', list: true },
    operands: ['a', 'b'],
  });
  t.deepEqual(parseCommand(command, ['--json=x.json']), {
    values: { json: 'x.json' },
    operands: [],
  });
  t.deepEqual(parseCommand(command, []), { values: {}, operands: [] });
});

test('parseCommand: an unknown flag, a missing value, a value to a boolean, an unwanted operand are usage errors (exit 2)', (t) => {
  const unknown = parseCommand(command, ['--nope']);
  t.like(unknown, { exit: 2 });
  t.is(
    (unknown as { text: string }).text,
    `tool: unknown option '--nope'\n\n${formatUsage(command)}`,
  );
  t.like(parseCommand(command, ['--json']), { exit: 2 });
  t.like(parseCommand(command, ['--list=yes']), { exit: 2 });
  t.like(parseCommand({ ...command, operands: undefined }, ['a']), { exit: 2 });
});

test('parseCommand: -h and --help stop with the usage and exit 0, whatever else is given', (t) => {
  t.deepEqual(parseCommand(command, ['-h']), { exit: 0, text: formatUsage(command) });
  t.deepEqual(parseCommand(command, ['a', '--help']), { exit: 0, text: formatUsage(command) });
});

test('formatUsage lists every flag, with its value, and --help', (t) => {
  t.is(
    formatUsage(command),
    'usage: tool [options] [name...]\n\nDoes a thing.\n\noptions:\n  --json FILE  write JSON\n  --list       list\n  -h, --help   show this help and exit',
  );
  t.is(formatFlags({ name: 'x', summary: '', flags: {} }), '  -h, --help  show this help and exit');
  t.deepEqual(usageError(command, 'bad'), {
    exit: 2,
    text: `tool: bad\n\n${formatUsage(command)}`,
  });
});
