// The packages npm publishes, read from the workspace: shared by scripts/packages.mjs (which packs
// and checks their tarballs) and test/packages/manifests.test.ts (which checks their manifests), so
// that the two cannot disagree on which packages those are or where they point.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packagesDir } from './entries.ts'

/** Where every package's repository, homepage and issues point. */
export const REPOSITORY = 'https://github.com/middy-deadline/middy-deadline'

export interface PublishedPackage {
  /** The folder's name under packages/ (`graceful-timeout`). */
  name: string
  dir: string
  // biome-ignore lint/suspicious/noExplicitAny: a package.json as JSON.parse reads it.
  manifest: Record<string, any>
}

/** Every package not marked `private`, in the order of their folders' names. */
export function publishedPackages(): PublishedPackage[] {
  return readdirSync(packagesDir)
    .sort()
    .map((name) => ({
      name,
      dir: join(packagesDir, name),
      manifest: JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')),
    }))
    .filter((pkg) => pkg.manifest.private !== true)
}
