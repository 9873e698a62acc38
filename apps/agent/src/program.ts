import { Command, CommanderError, Option } from 'commander';
import { enrollCommand } from './commands/enroll.ts';
import { runCommand } from './commands/run.ts';
import { statusCommand } from './commands/status.ts';
import { defaultPaths } from './config/paths.ts';
import { AgentExit, exitCodes } from './platform/exit-codes.ts';
import { agentVersion } from './version.ts';

const configHelp = `agent config file (default: $LINKMESH_AGENT_CONFIG or ${defaultPaths.config})`;

/** Builds the command tree; each action stores its exit code in `result`. */
function buildProgram(result: { exitCode: number }): Command {
  const program = new Command('linkmesh-agent')
    .description(
      'LinkMesh Managed-mode host agent: enrols this host, writes the bootstrap config.alloy, supervises the collector and reports host context.',
    )
    .version(agentVersion, '-V, --version')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('enroll')
    .description('redeem an enrollment token and write config.yaml and the bootstrap config.alloy')
    .requiredOption('--server <url>', 'LinkMesh server base URL, e.g. https://fleet.example.com')
    .requiredOption('--token <token>', 'enrollment token (lmet_…), single use')
    .option('--config <path>', configHelp)
    .option('--alloy-config <path>', 'bootstrap Alloy config to write', defaultPaths.alloyConfig)
    .option('--collector-binary <path>', 'collector executable to supervise', defaultPaths.collectorBinary)
    .option('--hostname <name>', 'name to enrol under (default: os.hostname())')
    .option('--force', 'replace an existing enrolment (config.yaml)', false)
    .addOption(new Option('--host-id <id>', 'host identifier (default: /etc/machine-id)').hideHelp())
    .addOption(
      new Option('--state-file <path>', 'agent state file').default(defaultPaths.stateFile).hideHelp(),
    )
    .action(async (options: Parameters<typeof enrollCommand>[0]) => {
      result.exitCode = await enrollCommand(options);
    });

  program
    .command('run')
    .description('supervise the collector and report host context (runs until SIGTERM)')
    .option('--config <path>', configHelp)
    .action(async (options: { config?: string }) => {
      result.exitCode = await runCommand(options);
    });

  program
    .command('status')
    .description('print the enrolment and the supervised collector state')
    .option('--config <path>', configHelp)
    .option('--json', 'machine-readable output', false)
    .action(async (options: { config?: string; json: boolean }) => {
      result.exitCode = await statusCommand(options);
    });

  return program;
}

/** Parses `argv` and runs the command; resolves to the process exit code (never throws). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const result = { exitCode: exitCodes.ok as number };
  try {
    await buildProgram(result).parseAsync([...argv]);
    return result.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    if (error instanceof AgentExit) {
      process.stderr.write(`linkmesh-agent: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`linkmesh-agent: unexpected failure: ${String(error)}\n`);
    return exitCodes.failed;
  }
}
