/**
 * First contact with the command line: `--help` and `-h` on the program, the `model` group and every
 * command print the usage with every option and its default (exit 0); an unknown option or a missing
 * value is one line naming it plus the usage (exit 2), never a stack trace. Run as a user would, as
 * processes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { helpText, type CliOptions, type CommandSpec } from '../../src/cli/commandLine.js';
import { MODEL_PULL_SPEC } from '../../src/cli/modelPull.js';
import { MODEL_SYNTH_SPEC } from '../../src/cli/modelSynth.js';
import { RUN_SPEC } from '../../src/cli/runTask.js';
import { SERVE_SPEC } from '../../src/cli/serve.js';
import { florenceGateway } from '../helpers/cli.js';

const SPECS: [argv: string[], spec: CommandSpec<CliOptions>][] = [
  [['serve'], SERVE_SPEC],
  [['run'], RUN_SPEC],
  [['model', 'pull'], MODEL_PULL_SPEC],
  [['model', 'synth'], MODEL_SYNTH_SPEC],
];

/** A stack trace line, as node prints them. */
const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)$/m;

describe('--help on every command', () => {
  for (const [argv, spec] of SPECS) {
    test(`florence-gateway ${argv.join(' ')} --help and -h print every option with its default`, async () => {
      for (const flag of ['--help', '-h']) {
        const { code, stdout, stderr } = await florenceGateway([...argv, flag]);
        assert.equal(code, 0, stderr);
        assert.equal(stderr, '');
        assert.equal(stdout, `${helpText(spec)}\n`);
      }
      const { stdout } = await florenceGateway([...argv, '--help']);
      assert.ok(stdout.startsWith(`usage: florence-gateway ${argv.join(' ')} `), stdout);
      for (const [name, option] of Object.entries(spec.options)) {
        assert.ok(option.default !== '', `--${name} documents its default`);
        const line = stdout
          .split('\n')
          .find((text) => text.startsWith('  ') && text.includes(`--${name}${option.value ? ` ${option.value}` : ''} `));
        assert.ok(line, `--${name} is listed:\n${stdout}`);
        assert.ok(line.endsWith(`(default: ${option.default})`), line);
      }
      assert.match(stdout, /^ {2}-h, --help +print this help and exit$/m);
    });
  }

  test('help wins over other arguments, even wrong ones', async () => {
    const { code, stdout } = await florenceGateway(['run', '--nope', '-h']);
    assert.equal(code, 0);
    assert.equal(stdout, `${helpText(RUN_SPEC)}\n`);
  });

  test('florence-gateway --help, -h and help list the commands, how to get their options, and the tasks', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const { code, stdout } = await florenceGateway([flag]);
      assert.equal(code, 0);
      assert.match(stdout, /^usage: florence-gateway <command> \[options\]\n/);
      for (const line of [
        'serve [options]',
        'run TASK IMAGE [options]',
        'model pull [REPO] [options]',
        'model synth --size tiny|base --out DIR [options]',
      ]) {
        assert.ok(stdout.includes(`\n  ${line} `), `${line} is listed:\n${stdout}`);
      }
      assert.ok(stdout.includes("`florence-gateway <command> --help` prints a command's options and their defaults."));
      assert.match(stdout, /<OPEN_VOCABULARY_DETECTION>/);
    }
  });

  test('florence-gateway model --help lists pull and synth', async () => {
    const { code, stdout } = await florenceGateway(['model', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^usage: florence-gateway model pull\|synth \[options\]\n/);
    assert.match(stdout, /^ {2}model pull \[REPO\] \[options\] +Download /m);
    assert.match(stdout, /^ {2}model synth --size tiny\|base --out DIR \[options\] +Write /m);
  });
});

describe('mistakes are one line with the usage, exit 2', () => {
  const cases: [argv: string[], stderr: string][] = [
    [['serve', '--nope'], 'unknown option --nope; usage: florence-gateway serve [options]'],
    [['serve', '-x'], 'unknown option -x; usage: florence-gateway serve [options]'],
    [['serve', '--port'], 'option --port needs a value; usage: florence-gateway serve [options]'],
    [['serve', 'extra'], 'expected no arguments, got "extra"; usage: florence-gateway serve [options]'],
    [['serve', '--synthetic', 'huge'], '--synthetic takes tiny or base; got "huge"; usage: florence-gateway serve [options]'],
    [['run', '--nope', '<OD>', 'x.png'], 'unknown option --nope; usage: florence-gateway run TASK IMAGE [options]'],
    [['run', '<OD>'], 'expected TASK IMAGE, got "<OD>"; usage: florence-gateway run TASK IMAGE [options]'],
    [['run', '<OD>', 'x.png', '--json=yes'], 'option --json takes no value; usage: florence-gateway run TASK IMAGE [options]'],
    [
      ['run', '<OD>', 'x.png', '--beams', 'three'],
      '--beams takes a whole number, got "three"; usage: florence-gateway run TASK IMAGE [options]',
    ],
    [['model', 'pull', '--nope'], 'unknown option --nope; usage: florence-gateway model pull [REPO] [options]'],
    [['model', 'pull', 'a/b', 'c/d'], 'expected [REPO], got "a/b" "c/d"; usage: florence-gateway model pull [REPO] [options]'],
    [['model', 'synth', '--nope'], 'unknown option --nope; usage: florence-gateway model synth --size tiny|base --out DIR [options]'],
    [['model', 'synth', '--size', 'tiny'], '--out is required; usage: florence-gateway model synth --size tiny|base --out DIR [options]'],
    [['model'], 'florence-gateway model needs a command; usage: florence-gateway model pull|synth [options]'],
    [['model', 'push'], 'unknown command "model push"; usage: florence-gateway model pull|synth [options]'],
    [['--nope'], 'unknown option --nope; usage: florence-gateway <command> [options]'],
    [
      ['frobnicate'],
      'unknown command "frobnicate"; usage: florence-gateway <command> [options] (`florence-gateway --help` lists the commands)',
    ],
  ];
  for (const [argv, message] of cases) {
    test(argv.join(' '), async () => {
      const { code, stdout, stderr } = await florenceGateway(argv);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.equal(stderr, `${message}\n`);
      assert.doesNotMatch(stderr, STACK_LINE);
    });
  }

  test('no command at all: the line, then the command list, on stderr', async () => {
    const { code, stdout, stderr } = await florenceGateway([]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(
      stderr,
      /^a command is needed; usage: florence-gateway <command> \[options\]\n\nusage: florence-gateway <command> \[options\]\n/,
    );
  });
});
