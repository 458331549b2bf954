// Imported first by the import-time bench so that the ESM loader's own start-up is not counted.
export const empty = true
