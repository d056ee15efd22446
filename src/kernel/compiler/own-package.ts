/**
 * The kernel's own package (the checkout or install this file belongs to): a cell anywhere can
 * import the library by package name (`import { initBackend } from "lepton-workbook/backends"`),
 * type-checked and loaded from this package through its package.json `exports`, whatever the
 * notebook's folder.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

/** This package's root (src/kernel/compiler/../../..). */
export const PACKAGE_ROOT = resolve(__dirname, "..", "..", "..");

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly exports?: Record<string, string>;
}

let manifest: PackageJson | undefined;

/** This package's package.json. */
export function ownPackage(): PackageJson {
  manifest ??= JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as PackageJson;
  return manifest;
}

/** Whether a module specifier names this package or one of its exported entry points. */
export function isOwnPackageSpecifier(specifier: string): boolean {
  const { name } = ownPackage();
  return specifier === name || specifier.startsWith(`${name}/`);
}

/** A `require` that resolves this package's own name through its `exports` (Node's self-reference). */
export function ownPackageRequire(): NodeJS.Require {
  return createRequire(join(PACKAGE_ROOT, "package.json"));
}

/**
 * TypeScript `paths` for the entry points `exports` lists, as absolute files: the compiler's
 * module resolution for cells (node10) does not read `exports` itself.
 */
export function ownPackagePaths(): Record<string, string[]> {
  const { name, exports = {} } = ownPackage();
  const paths: Record<string, string[]> = {};
  for (const [entry, target] of Object.entries(exports)) {
    if (typeof target !== "string" || !/\.tsx?$/.test(target)) continue; // package.json itself
    paths[entry === "." ? name : `${name}/${entry.replace(/^\.\//, "")}`] = [join(PACKAGE_ROOT, target)];
  }
  return paths;
}
