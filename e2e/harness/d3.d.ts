// d3 has no types in this repository (only @grafana/flamegraph imports it, from its own JavaScript); the harness
// merely hands the module to the plugin as Grafana does, so its shape does not matter here.
declare module 'd3';
