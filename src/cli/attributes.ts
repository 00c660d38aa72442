/**
 * The CLI's side of the attribute analysis (issue #16): collects each input's attributes while the inputs are
 * read, only when a slow-vs-baseline comparison is asked for. With `--jobs N` each worker records its files'
 * attributes (an `AttributeRecorder`) and the main thread adds them in file order (parallel.ts).
 */
import { AttributeCollector, AttributeRecorder, recordAttributesFromBytes } from '../engine';
import { withoutByteOrderMark } from './fileBytes';

/**
 * Records the attributes of one input's bytes into `recorder`, which holds nothing else (see
 * `recordAttributesFromBytes`). Input that does not parse is left to the readers to report.
 */
export function recordInputAttributes(bytes: Uint8Array, recorder: AttributeRecorder): void {
  recordAttributesFromBytes(withoutByteOrderMark(bytes), recorder);
}

/** A `ReadOptions.onInputBytes` hook feeding `collector` on this thread, input by input. */
export function attributeHook(collector: AttributeCollector): (bytes: Uint8Array) => void {
  const recorder = new AttributeRecorder(collector.limits);
  return (bytes) => {
    recordInputAttributes(bytes, recorder);
    collector.addBatch(recorder.take());
  };
}
