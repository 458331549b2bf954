// The import-time floor: a module with one line, loaded fresh like any target.
export const floor = true
