import { PluginPage } from '@grafana/runtime';
import { Alert, Button, DropzoneFile, FileDropzone, Stack, Text } from '@grafana/ui';
import React, { useCallback, useEffect, useState } from 'react';

import { HotspotView } from '../components/hotspots/HotspotView';
import { AnalysisOptionsFields, AnalysisOptionsValue } from '../components/search/AnalysisOptionsFields';
import { ControlsBox } from '../components/search/ControlsBox';
import { testIds } from '../components/testIds';
import { analyzeLocalFiles, errorState } from '../data';
import { MAX_TRACES_LIMIT, type HotspotState } from '../data/types';
import { PageProps } from './pageState';
import { DEFAULT_TOP_N } from './urlState';

interface LocalFile {
  file: File;
  name: string;
  text: string;
}

/** The text of a dropped file (FileReader: what every browser Grafana supports has, jsdom included). */
export function readFileText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(reader.error ?? new Error(`${file.name} could not be read`));
    reader.readAsText(file);
  });
}

const ACCEPT = ['.json', '.jsonl', '.ndjson', '.txt'];

/**
 * The Import page: Jaeger JSON (the query API's `{"data": [...]}` or Jaeger UI's download), OTLP JSON and JSON
 * lines files, dropped here and analysed in the browser — nothing is uploaded, and no data source is needed.
 */
function Import(_props: PageProps) {
  const [files, setFiles] = useState<LocalFile[]>([]);
  const [readErrors, setReadErrors] = useState<string[]>([]);
  const [options, setOptions] = useState<AnalysisOptionsValue>({ window: 'root', asyncBlocking: false });
  const [rollup, setRollup] = useState(false);
  // A new dropzone (with an empty file list) after "Clear".
  const [generation, setGeneration] = useState(0);
  // The state of the run for exactly these files and options (an older run's states are ignored).
  const [result, setResult] = useState<{ files: LocalFile[]; options: AnalysisOptionsValue; state: HotspotState }>();

  useEffect(() => {
    if (files.length === 0) {
      return undefined;
    }
    let current = true;
    const show = (state: HotspotState) => {
      if (current) {
        setResult({ files, options, state });
      }
    };
    analyzeLocalFiles(
      files.map(({ name, text }) => ({ name, text })),
      { jaegerUid: '', maxTraces: MAX_TRACES_LIMIT, window: options.window, asyncBlocking: options.asyncBlocking },
      { onState: show }
    ).then(show, (err: unknown) =>
      show(
        errorState({
          title: 'The files could not be analysed',
          message: err instanceof Error ? err.message : String(err),
        })
      )
    );
    return () => {
      current = false;
    };
  }, [files, options]);

  const onDrop = useCallback((accepted: File[]) => {
    Promise.allSettled(accepted.map(async (file) => ({ file, name: file.name, text: await readFileText(file) }))).then(
      (outcomes) => {
        const read: LocalFile[] = [];
        const failed: string[] = [];
        outcomes.forEach((outcome, i) => {
          if (outcome.status === 'fulfilled') {
            read.push(outcome.value);
          } else {
            failed.push(`${accepted[i].name}: ${String(outcome.reason)}`);
          }
        });
        setReadErrors(failed);
        if (read.length > 0) {
          setFiles((previous) => [...previous, ...read]);
        }
      }
    );
  }, []);
  const onRemove = useCallback((removed: DropzoneFile) => {
    setFiles((previous) => previous.filter((f) => f.file !== removed.file));
  }, []);

  const state = files.length > 0 && result?.files === files && result.options === options ? result.state : undefined;
  return (
    <PluginPage>
      <div data-testid={testIds.import.container}>
        <ControlsBox>
          <Text color="secondary">
            Drop Jaeger JSON (from Jaeger&apos;s API or Jaeger UI&apos;s “Download JSON”), OTLP JSON or JSON-lines
            files. They are read and analysed in this browser tab: nothing is uploaded, and no data source is needed.
          </Text>
          <FileDropzone
            key={generation}
            id="hotpath-import-files"
            options={{ accept: ACCEPT, multiple: true, onDrop }}
            onFileRemove={onRemove}
          />
          {readErrors.length > 0 && (
            <Alert severity="error" title="Some files could not be read">
              {readErrors.join('; ')}
            </Alert>
          )}
          <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
            <AnalysisOptionsFields value={options} onChange={setOptions} />
            {files.length > 0 && (
              <Button
                variant="secondary"
                icon="trash-alt"
                onClick={() => {
                  setFiles([]);
                  setGeneration(generation + 1);
                }}
              >
                Clear {files.length === 1 ? 'the file' : `all ${files.length} files`}
              </Button>
            )}
          </Stack>
        </ControlsBox>
        {files.length > 0 && state && (
          <HotspotView
            state={state}
            options={{ mode: 'hotspots', topN: DEFAULT_TOP_N, rollup, window: options.window }}
            onRollupChange={setRollup}
            noun="files"
            emptyMessage="The files were read but contain no traces."
          />
        )}
      </div>
    </PluginPage>
  );
}

export default Import;
