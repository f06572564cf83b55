import { bundledConfig } from '../../../lambdas/shared/bundled-config';
import { ALL_KINDS_CONFIG } from '../../support/configs';

const holder = globalThis as { __AUTOSCALER_CONFIG__?: unknown };
afterEach(() => delete holder.__AUTOSCALER_CONFIG__);

test('the parsed config is read as synth wrote it, not parsed again', () => {
  holder.__AUTOSCALER_CONFIG__ = ALL_KINDS_CONFIG;
  expect(bundledConfig()).toBe(ALL_KINDS_CONFIG);
});

test('something that is not a parsed config fails with where it came from', () => {
  for (const wrong of [[], 'autoscaler', { prefix: 'shop' }, { targets: [] }]) {
    holder.__AUTOSCALER_CONFIG__ = wrong;
    expect(() => bundledConfig()).toThrow('__AUTOSCALER_CONFIG__ is not a parsed autoscaler config (an object with prefix and targets, as synth writes it)');
  }
});
