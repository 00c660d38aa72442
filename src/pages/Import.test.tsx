import { fireEvent, screen, waitFor } from '@testing-library/react';

import { installBrowserStubs } from '../components/testing/browser';
import { SMARTTHINGS } from '../components/testing/states';
import { testIds } from '../components/testIds';
import { readFixtureText } from '../testing/fixtures';
import { renderApp } from './testing';

/** Drops files on the dropzone's input, as the browser does when a user drops or picks them. */
function drop(files: File[]) {
  const input = document.getElementById('hotpath-import-files') as HTMLInputElement;
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  fireEvent.drop(input, { dataTransfer: { files, types: ['Files'] } });
}

beforeEach(() => installBrowserStubs());

describe('Import page', () => {
  it('analyses a dropped Jaeger file in the browser, with no data source at all', async () => {
    renderApp('/a/hotpath-latency-app/import', {});
    await screen.findByTestId(testIds.import.container);
    drop([new File([readFixtureText(SMARTTHINGS)], 'smartthings.json', { type: 'application/json' })]);

    const view = await screen.findByTestId(testIds.view.root);
    await waitFor(() => expect(view).toHaveAttribute('data-phase', 'done'), { timeout: 10_000 });
    const firstRow = screen.getByTestId(testIds.view.table).querySelector('tbody tr')!;
    expect(firstRow).toHaveTextContent('coreSrv');
    expect(firstRow).toHaveTextContent('get /login/tokenauth');
    expect(firstRow).toHaveTextContent('22.8 %');
    expect(screen.getByTestId(testIds.view.diagnostics)).toHaveTextContent('Low coverage: 0.1 %');
    expect(screen.getByTestId(testIds.view.sample)).toHaveTextContent('traces read 1 · files failed 0 · analysed 1');
    // Files have no data source to link to: trace IDs to copy instead.
    expect(screen.queryByTestId(testIds.view.openTrace)).not.toBeInTheDocument();
  });

  it('names a file it cannot read, and analyses the others', async () => {
    renderApp('/a/hotpath-latency-app/import', {});
    await screen.findByTestId(testIds.import.container);
    drop([
      new File(['{"not": "traces"}'], 'notes.json', { type: 'application/json' }),
      new File([readFixtureText(SMARTTHINGS)], 'smartthings.json', { type: 'application/json' }),
    ]);
    const view = await screen.findByTestId(testIds.view.root);
    await waitFor(() => expect(view).toHaveAttribute('data-phase', 'done'), { timeout: 10_000 });
    expect(screen.getByTestId(testIds.view.sample)).toHaveTextContent('files failed 1');
    expect(screen.getByTestId(testIds.view.diagnostics)).toHaveTextContent('notes.json');
  });

  it('says what is wrong when no file holds a trace', async () => {
    renderApp('/a/hotpath-latency-app/import', {});
    await screen.findByTestId(testIds.import.container);
    drop([new File(['not json at all'], 'broken.json', { type: 'application/json' })]);
    expect(await screen.findByTestId(testIds.view.error, {}, { timeout: 10_000 })).toHaveTextContent('broken.json');
    fireEvent.click(screen.getByRole('button', { name: /^Clear/ }));
    await waitFor(() => expect(screen.queryByTestId(testIds.view.root)).not.toBeInTheDocument());
  });
});
