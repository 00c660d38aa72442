import { Box, Stack } from '@grafana/ui';
import React, { ReactNode } from 'react';

/** The bordered box above an app page's results that holds its search, options and run button. */
export function ControlsBox({ children }: { children: ReactNode }) {
  return (
    <Box padding={2} marginBottom={2} borderStyle="solid" borderColor="weak" borderRadius="default">
      <Stack direction="column" gap={2}>
        {children}
      </Stack>
    </Box>
  );
}
