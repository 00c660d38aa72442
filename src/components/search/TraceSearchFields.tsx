import { Field, Input, Stack } from '@grafana/ui';
import React from 'react';

/** The Jaeger search as typed (strings; empty means "any"). */
export interface SearchDraft {
  service: string;
  operation: string;
  tags: string;
  minDuration: string;
}

export const EMPTY_DRAFT: SearchDraft = { service: '', operation: '', tags: '', minDuration: '' };

export interface TraceSearchFieldsProps {
  value: SearchDraft;
  onChange: (value: SearchDraft) => void;
  /** Enter in any field. */
  onSubmit: () => void;
  /** Which fields to show (default all). */
  fields?: Array<keyof SearchDraft>;
  /** Label for the tags field (the Compare page shows two). */
  tagsLabel?: string;
  idPrefix?: string;
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** Jaeger's duration syntax (Go's: 100ms, 1.5s, 2m); empty is fine. */
export function isGoDuration(value: string): boolean {
  return value.trim() === '' || GO_DURATION.test(value.trim());
}

/** The fields of a Jaeger search, as the Jaeger data source's search editor names them. */
export function TraceSearchFields({
  value,
  onChange,
  onSubmit,
  fields = ['service', 'operation', 'tags', 'minDuration'],
  tagsLabel = 'Tags',
  idPrefix = 'hotpath',
}: TraceSearchFieldsProps) {
  const set = (key: keyof SearchDraft) => (event: React.ChangeEvent<HTMLInputElement>) =>
    onChange({ ...value, [key]: event.currentTarget.value });
  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      onSubmit();
    }
  };
  const durationInvalid = !isGoDuration(value.minDuration);
  return (
    <Stack direction="row" gap={1} wrap="wrap" alignItems="flex-start">
      {fields.includes('service') && (
        <Field label="Service" required noMargin>
          <Input
            id={`${idPrefix}-service`}
            value={value.service}
            placeholder="e.g. frontend"
            onChange={set('service')}
            onKeyDown={onKeyDown}
            width={24}
          />
        </Field>
      )}
      {fields.includes('operation') && (
        <Field label="Operation" noMargin>
          <Input
            id={`${idPrefix}-operation`}
            value={value.operation}
            placeholder="any"
            onChange={set('operation')}
            onKeyDown={onKeyDown}
            width={28}
          />
        </Field>
      )}
      {fields.includes('tags') && (
        <Field label={tagsLabel} noMargin>
          <Input
            id={`${idPrefix}-tags`}
            value={value.tags}
            placeholder="logfmt, e.g. error=true http.status_code=500"
            onChange={set('tags')}
            onKeyDown={onKeyDown}
            width={36}
          />
        </Field>
      )}
      {fields.includes('minDuration') && (
        <Field
          label="Min duration"
          invalid={durationInvalid}
          error={durationInvalid ? 'A duration such as 100ms or 1.5s' : undefined}
          noMargin
        >
          <Input
            id={`${idPrefix}-min-duration`}
            value={value.minDuration}
            placeholder="e.g. 100ms"
            onChange={set('minDuration')}
            onKeyDown={onKeyDown}
            width={14}
          />
        </Field>
      )}
    </Stack>
  );
}
