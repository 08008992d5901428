// The version printed in results and reports. Kept in a module (not read from package.json) because
// the ncc bundle in dist/ ships without package.json.
export const VERSION = '0.1.0';
