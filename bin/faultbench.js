#!/usr/bin/env node
// The faultbench command: loads the TypeScript CLI through tsx's loader.
import { register } from "tsx/esm/api";

register();
await import("../harness/cli.ts");
