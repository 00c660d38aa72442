/**
 * The CLI's side of the attribute analysis (issue #16): collects each input's attributes while the inputs are
 * read, only when a slow-vs-baseline comparison is asked for. With `--jobs N` each worker records its files'
 * attributes (an `AttributeRecorder`) and the main thread adds them in file order (parallel.ts).
 */
import { AttributeSink, collectAttributesFromText } from '../engine';

/**
 * A `ReadOptions.onInputBytes` hook feeding `collector`. It parses the input a second time because the trace
 * readers skip tags unread; input that does not parse is left to the readers to report.
 */
export function attributeHook(collector: AttributeSink): (bytes: Uint8Array) => void {
  const decoder = new TextDecoder();
  return (bytes) => {
    const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // a byte-order mark
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(start));
    } catch {
      return; // too large to decode at once: the readers say so
    }
    collectAttributesFromText(text, collector);
  };
}
