// The environment every trial interpreter gets: the parent's, minus anything that could leak a
// credential into workload code, plus variables that make trials comparable. Pure.

/**
 * Set for every trial (and recorded in the results).
 * - The *_NUM_THREADS variables stop native libraries (OpenMP, OpenBLAS, MKL) from starting a
 *   thread per core inside every pool worker, which would oversubscribe the CPUs and measure the
 *   library's threading instead of the pool's.
 * - PYTHONHASHSEED=0 makes str/bytes hashes, and so set/dict iteration order in results, the
 *   same in every interpreter, so result digests compare across trials, arms and commits.
 * - PYTHONFAULTHANDLER=1 makes an interpreter that segfaults print the Python stack to stderr,
 *   which ends up in the failure's stderr tail. It costs nothing while nothing crashes.
 * PYTHONDONTWRITEBYTECODE is deliberately not set: bytecode caches are what users have, and
 *   spawn/forkserver workers import the workload inside the timed region, so compiling it afresh
 *   in every worker would inflate process start-up beyond what users pay.
 */
export const TRIAL_VARIABLES: Readonly<Record<string, string>> = Object.freeze({
  OMP_NUM_THREADS: '1',
  OPENBLAS_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  PYTHONHASHSEED: '0',
  PYTHONFAULTHANDLER: '1',
});

const CREDENTIAL_NAMES = new Set(['GITHUB_TOKEN', 'GH_TOKEN', 'ACTIONS_RUNTIME_TOKEN']);
// Action inputs (INPUT_GITHUB-TOKEN holds the token) and the runner's own ACTIONS_* channel
// (runtime token, cache and results URLs, OIDC request token and URL).
const CREDENTIAL_PREFIXES = ['INPUT_', 'ACTIONS_'];

function isCredentialName(name: string): boolean {
  const upper = name.toUpperCase();
  return CREDENTIAL_NAMES.has(upper) || CREDENTIAL_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/**
 * The environment for a trial: `parent` without credentials (by name, and any variable whose
 * value contains one of the non-empty `secrets`), plus TRIAL_VARIABLES, which win over the parent.
 */
export function trialEnvironment(
  parent: Record<string, string | undefined>,
  secrets: readonly string[],
): Record<string, string> {
  const secretValues = secrets.filter((secret) => secret.length > 0);
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || isCredentialName(name)) continue;
    if (secretValues.some((secret) => value.includes(secret))) continue;
    environment[name] = value;
  }
  return { ...environment, ...TRIAL_VARIABLES };
}
