import { TimeRangePicker } from '@grafana/ui';
import type { TimeRange } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import React from 'react';

import { RawRange, rawOf, shiftRange, zoomOut } from './timeRange';

export interface TimeRangeControlProps {
  /** The resolved range to show. */
  value: TimeRange;
  /** The new range as URL values (relative kept relative). */
  onChange: (raw: RawRange) => void;
  timeZone: TimeZone;
  onChangeTimeZone: (timeZone: TimeZone) => void;
}

/** Grafana's time range picker, with its arrows and zoom wired to URL-shaped ranges. */
export function TimeRangeControl({ value, onChange, timeZone, onChangeTimeZone }: TimeRangeControlProps) {
  return (
    <TimeRangePicker
      value={value}
      timeZone={timeZone}
      onChange={(range) => onChange(rawOf(range))}
      onChangeTimeZone={onChangeTimeZone}
      onMoveBackward={() => onChange(shiftRange(value, -1))}
      onMoveForward={() => onChange(shiftRange(value, 1))}
      onZoom={() => onChange(zoomOut(value))}
    />
  );
}
