// Test helper run as a separate process: opens (and so migrates) the storage named by argv[2]
// (JSON StorageTarget), prints the migrations it applied as JSON, and exits.
import { openStorage, type StorageTarget } from '../storage/open-storage.ts';

const target = JSON.parse(process.argv[2] ?? '') as StorageTarget;
const { storage, migrations } = await openStorage(target);
await storage.close();
process.stdout.write(JSON.stringify(migrations.applied));
