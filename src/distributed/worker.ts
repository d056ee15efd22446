/**
 * A worker thread of the data-parallel pool (Seed 001 §3.2 step 3, collaborative processing):
 * starts tfjs on the coordinator's backend through src/backends, rebuilds the coordinator's model,
 * keeps its shard, and for each step reads the broadcast weights, computes its gradients and
 * writes them to its slot. Loaded by worker-entry.js, which registers tsx first.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backends";
import { gatherBatch, shardGradients } from "./collaboration";
import { DistributedSetupError } from "./errors";
import type { FromWorker, ToWorker, WorkerStart } from "./protocol";
import { layoutMismatch, receiveWeights, sendGradients, sendNoGradients, trainableVariables } from "./transmission";

function parent(): MessagePort {
  if (parentPort === null) throw new Error("src/distributed/worker.ts runs only inside a worker thread");
  return parentPort;
}

const port = parent();
const start = workerData as WorkerStart;
const reply = (message: FromWorker) => port.postMessage(message);
const failure = (step: number | null, error: unknown): FromWorker => ({
  kind: "failed",
  index: start.index,
  step,
  message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}),
});

async function boot(): Promise<void> {
  const started = performance.now();
  const backend = await initBackend({ force: start.backend, quiet: true });
  const model = await tf.models.modelFromJSON({ modelTopology: start.topology } as Parameters<
    typeof tf.models.modelFromJSON
  >[0]);
  const variables = trainableVariables(model);
  const mismatch = layoutMismatch(start.layout, variables);
  if (mismatch !== undefined) {
    model.dispose();
    throw new DistributedSetupError(`the rebuilt model differs from the coordinator's: ${mismatch}`);
  }

  const step = (request: { step: number; positions: Int32Array }): FromWorker => {
    const began = performance.now();
    const batch = gatherBatch(start.shard, request.positions);
    const published = receiveWeights(variables, start.layout, start.exchange);
    if (published !== request.step)
      throw new DistributedSetupError(`the shared weights are stamped for step ${published}, not step ${request.step}`);
    let loss = Number.NaN;
    if (batch.count === 0) sendNoGradients(start.layout, start.exchange, start.index, request.step);
    else {
      loss = shardGradients(model, variables, start.loss, batch, start.inputShape, (grads) =>
        sendGradients(grads, variables, start.layout, start.exchange, start.index, request.step),
      );
    }
    return {
      kind: "gradients",
      index: start.index,
      step: request.step,
      count: batch.count,
      loss,
      computeMs: performance.now() - began,
      numTensors: tf.memory().numTensors,
    };
  };

  port.on("message", (message: ToWorker) => {
    if (message.kind === "stop") {
      model.dispose();
      reply({ kind: "stopped", index: start.index, numTensors: tf.memory().numTensors });
      port.close();
      return;
    }
    let answer: FromWorker;
    try {
      answer = step(message);
    } catch (error) {
      answer = failure(message.step, error);
    }
    reply(answer);
  });
  reply({
    kind: "ready",
    index: start.index,
    backend: backend.name,
    startupMs: performance.now() - started,
    numTensors: tf.memory().numTensors,
  });
}

boot().catch((error: unknown) => {
  reply(failure(null, error));
  port.close();
});
