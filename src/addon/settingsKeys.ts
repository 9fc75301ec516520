/** The user properties holding a teammate's own importer settings (the preview seeds the same keys). */
export const USER_SETTINGS = { url: "importer.url", apiKey: "importer.apiKey" } as const;
