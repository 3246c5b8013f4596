package dev.stevedore.cli.cmd;

import dev.stevedore.cli.ExitCode;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stevedore completion bash|zsh}: the completion script picocli generates from the commands. */
@Command(name = "completion", description = {
    "Print a shell completion script.",
    "bash: source <(stevedore completion bash)   zsh: source <(stevedore completion zsh)"})
public final class CompletionCommand extends Base {
  /** The shells picocli's script works in (it runs bashcompinit under zsh). */
  enum Shell { BASH, ZSH }

  @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
  Shell shell;

  @Override
  ExitCode run() {
    String script = AutoComplete.bash("stevedore", spec.root().commandLine());
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return ExitCode.OK;
  }
}
