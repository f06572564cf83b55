/**
 * R21 (family functions): every family function reads the switches right before its AWS write, not
 * only when an invocation starts. An operator pauses the target, or sets dry-run for everything, while
 * the function's last read before the write is being answered (GetMetricData, the workers' describe,
 * ListInvalidations): the write is not made, and the decision is recorded as paused or dry-run. Each
 * family on its real handler, the state store on dynalite, the in-memory AWS; the runbooks' tasks have
 * their own cases.
 */
import { useDynalite } from './support';
import { CDN_PATHS } from './support-cdn';
import { DATABASE_PATHS } from './support-database';
import { CAPACITY_PATHS, type FamilyPath, type SwitchedWorld } from './support-families';
import { QUEUE_PATHS } from './support-queue';

const db = useDynalite();

const PATHS: FamilyPath[] = [...CAPACITY_PATHS, ...QUEUE_PATHS, ...DATABASE_PATHS, ...CDN_PATHS];

const SWITCHES = [
  { name: 'paused', scope: 'target', outcome: 'paused' },
  { name: 'dryRun', scope: 'global', outcome: 'dry-run' },
] as const;

for (const p of PATHS) {
  for (const s of SWITCHES) {
    test(`R21 ${p.family} function (${p.path}): ${s.name} set (${s.scope}) while ${p.lastRead} is answered holds the ${p.write}`, async () => {
      let set = 0;
      // The operator's `pause <target>` or `dry-run on` lands while the function is deciding.
      const operator = async (command: string) => {
        if (command !== p.lastRead || set++ > 0) return;
        await w.store.setSwitch(s.scope === 'global' ? '*' : w.targetId, s.name, true);
      };
      const w: SwitchedWorld = await p.world({ db: db(), onCall: operator });
      try {
        expect(await w.act()).toBe(s.outcome);
        expect(set).toBeGreaterThanOrEqual(1);
        expect(w.writes()).toEqual([]);
        const audit = await w.audit();
        expect(audit.map((e) => e.outcome)).toEqual([s.outcome]);
      } finally {
        w.restore();
      }
    });
  }
}
