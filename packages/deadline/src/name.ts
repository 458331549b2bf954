/** This package's name, as its warnings and option errors show it. */
export const PACKAGE = '@middy-deadline/deadline'
