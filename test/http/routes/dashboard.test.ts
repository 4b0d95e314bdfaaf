// GET /api/system: the dashboard's box health (CPU, memory, disk of the data folder).
import test from 'ava';
import { startTestBox } from '../../support/appliance.ts';

interface System {
  cpu: { loadPercent: number | null; cores: number; temperatureC: number | null };
  memory: { usedBytes: number; totalBytes: number };
  disk: { path: string; usedBytes: number; totalBytes: number; freeBytes: number } | null;
}

test('GET /api/system reports CPU, memory and the data folder’s disk', async (t) => {
  const box = await startTestBox();
  t.teardown(() => box.stop());
  const r = await box.api.get<System>('/api/system');
  t.is(r.status, 200, r.text);
  t.true(r.body.cpu.cores >= 1);
  t.true(r.body.cpu.loadPercent === null || (r.body.cpu.loadPercent >= 0 && r.body.cpu.loadPercent <= 100));
  t.true(r.body.memory.totalBytes > 0 && r.body.memory.usedBytes <= r.body.memory.totalBytes);
  t.is(r.body.disk?.path, box.dataDir);
  t.true((r.body.disk?.totalBytes ?? 0) > 0 && (r.body.disk?.freeBytes ?? -1) >= 0);
  const anonymous = await fetch(`${box.base}/api/system`);
  t.is(anonymous.status, 401);
});
