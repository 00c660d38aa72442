// The panel has no options yet; they arrive with the ranking in the panel issue.
export type HotspotsOptions = Record<string, never>;
