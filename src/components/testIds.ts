export const testIds = {
  appConfig: {
    apiKey: 'data-testid ac-api-key',
    apiUrl: 'data-testid ac-api-url',
    submit: 'data-testid ac-submit-form',
  },
  hotspots: {
    container: 'data-testid hotspots-container',
  },
  hotspotsPanel: {
    container: 'data-testid hotspots-panel',
  },
};
