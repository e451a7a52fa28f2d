// The optothermal lab application: filled in by the modules below as they land.
export {};
