package dev.stevedore.cli;

/**
 * Every exit code of {@code stevedore}, documented in docs/cli.md (CliDocsTest checks the table).
 * Outcomes of the thing asked for come first (0-5), then why it could not be asked (usage, the
 * server's answers, the network).
 */
public enum ExitCode {
  /** done; a deployment waited for succeeded (or every host skipped it); the chain verified */
  OK(0, "success; a deployment waited for succeeded or was skipped; the hash chain verified"),
  /** a deployment failed on a host, or the hash chain is broken */
  FAILED(1, "a deployment waited for failed, or `verify` found the hash chain broken (or, with `--strict`, conflicts or unverified events)"),
  /** picocli's usage errors, a bad config file, a missing token */
  USAGE(2, "usage error: unknown option, bad argument, no such context, no token"),
  /** a deployment waited for was rolled back on a host */
  ROLLED_BACK(3, "a deployment waited for was rolled back (the old version runs again)"),
  /** --timeout passed before every host reported an outcome */
  TIMEOUT(4, "`--wait` gave up after `--timeout` before the deployment finished (it may still finish)"),
  /** the deployment was cancelled before a host started it */
  CANCELLED(5, "a deployment waited for was cancelled before any host started it"),
  /** 401 */
  UNAUTHORIZED(10, "the server refused the token (401): missing, wrong or expired"),
  /** 403 */
  FORBIDDEN(11, "the token lacks the role the command needs (403)"),
  /** 404 */
  NOT_FOUND(12, "no such deployment, schedule, rollout or service (404)"),
  /** 409 */
  CONFLICT(13, "the request conflicts with the state (409): a schedule already fired or cancelled, nothing to roll back to, a rollout command its phase does not allow"),
  /** 429 or 503 */
  BUSY(14, "the server asks to retry later (429 or 503; the message says when)"),
  /** other 4xx/5xx, or an answer that is not what the API documents */
  SERVER_ERROR(15, "any other refusal (400, 413, 415, 5xx) or an answer the command cannot read"),
  /** connection refused, DNS, TLS, timeout */
  UNREACHABLE(16, "the server could not be reached (connection refused, unknown host, TLS failure, timeout)"),
  /** a bug in stevedore itself (the message says what; please report it) */
  INTERNAL(70, "an unexpected error inside stevedore (a bug; the message says what)");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  public String meaning() {
    return meaning;
  }

  /** The exit code for an HTTP refusal. */
  public static ExitCode forStatus(int status) {
    return switch (status) {
      case 401 -> UNAUTHORIZED;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 409 -> CONFLICT;
      case 429, 503 -> BUSY;
      default -> SERVER_ERROR;
    };
  }
}
