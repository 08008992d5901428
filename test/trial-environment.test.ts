import { describe, expect, it } from 'vitest';
import { TRIAL_VARIABLES, trialEnvironment } from '../src/measure/trial-environment.js';

describe('trialEnvironment', () => {
  it('keeps ordinary variables and adds the trial variables', () => {
    const env = trialEnvironment({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8' }, []);
    expect(env).toMatchObject({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8' });
    expect(env).toMatchObject(TRIAL_VARIABLES);
    expect(env.OMP_NUM_THREADS).toBe('1');
    expect(env.OPENBLAS_NUM_THREADS).toBe('1');
    expect(env.MKL_NUM_THREADS).toBe('1');
    expect(env.PYTHONHASHSEED).toBe('0');
  });

  it('drops tokens, action inputs and runner internals, whatever their case', () => {
    const env = trialEnvironment(
      {
        PATH: '/usr/bin',
        GITHUB_TOKEN: 'ghs_a',
        GH_TOKEN: 'ghp_b',
        github_token: 'lower',
        'INPUT_GITHUB-TOKEN': 'ghs_c',
        INPUT_CONFIG: 'gilgate.yml',
        input_fail_on: 'never',
        ACTIONS_RUNTIME_TOKEN: 'rt',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'idt',
        Actions_Cache_Url: 'https://cache',
        GITHUB_REPOSITORY: 'o/r',
      },
      [],
    );
    expect(Object.keys(env).filter((name) => !(name in TRIAL_VARIABLES)).sort()).toEqual([
      'GITHUB_REPOSITORY',
      'PATH',
    ]);
  });

  it('drops any variable whose value contains a secret, ignoring empty secrets', () => {
    const env = trialEnvironment(
      {
        PATH: '/usr/bin',
        COPY: 'sekrit-123',
        URL: 'https://user:sekrit-123@example.com',
        OTHER: 'harmless',
      },
      ['sekrit-123', ''],
    );
    expect(env.COPY).toBeUndefined();
    expect(env.URL).toBeUndefined();
    expect(env.OTHER).toBe('harmless');
    expect(env.PATH).toBe('/usr/bin');
  });

  it('skips undefined values and lets trial variables override the parent', () => {
    const env = trialEnvironment({ UNSET: undefined, OMP_NUM_THREADS: '8', PYTHONHASHSEED: 'random' }, []);
    expect('UNSET' in env).toBe(false);
    expect(env.OMP_NUM_THREADS).toBe('1');
    expect(env.PYTHONHASHSEED).toBe('0');
  });

  it('does not change its input', () => {
    const parent = { GITHUB_TOKEN: 't', PATH: '/bin' };
    trialEnvironment(parent, ['t']);
    expect(parent).toEqual({ GITHUB_TOKEN: 't', PATH: '/bin' });
  });
});
