import type { Cleanup } from './process';
import { OtlpReceiver } from './receiver';
import { RedisServer } from './redis';
import { startDemo, type Demo, type DemoOptions } from './services';

export interface DemoWithDeps {
  redis: RedisServer;
  receiver: OtlpReceiver;
  demo: Demo;
}

/**
 * Redis on a free port, an in-test OTLP receiver and the built demo services exporting to it, each added to
 * `cleanup` as it starts (so a failure part-way still stops what did start, in reverse order).
 */
export async function startDemoWithDeps(
  cleanup: Cleanup,
  options: Omit<DemoOptions, 'redisUrl' | 'otlpUrl'> = {}
): Promise<DemoWithDeps> {
  const redis = await RedisServer.start();
  cleanup.add(() => redis.dispose());
  const receiver = new OtlpReceiver();
  await receiver.start();
  cleanup.add(() => receiver.stop());
  const demo = await startDemo({ ...options, redisUrl: redis.url, otlpUrl: receiver.url });
  cleanup.add(() => demo.stop());
  return { redis, receiver, demo };
}
