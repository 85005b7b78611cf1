// The bench's own worker: runs only the baseline workflow, in its own process so its CPU is its own.
import { NativeConnection, Worker } from '@temporalio/worker';
import { createBaselineActivities } from './activities';

async function run(): Promise<void> {
  const { TEMPORAL_ADDRESS, BENCH_TASK_QUEUE, BENCH_RECEIVER_URL } = process.env;
  if (!TEMPORAL_ADDRESS || !BENCH_TASK_QUEUE || !BENCH_RECEIVER_URL) {
    throw new Error('set TEMPORAL_ADDRESS, BENCH_TASK_QUEUE and BENCH_RECEIVER_URL (npm run bench does)');
  }
  const connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      taskQueue: BENCH_TASK_QUEUE,
      workflowsPath: require.resolve('./workflows'),
      activities: createBaselineActivities(BENCH_RECEIVER_URL),
      maxCachedWorkflows: 2_000,
    });
    console.log('baseline worker started');
    await worker.run();
  } finally {
    await connection.close();
  }
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
