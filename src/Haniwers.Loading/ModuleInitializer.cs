using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;

namespace Haniwers.Loading
{
    /// <summary>
    /// Imported before the cmdlets (the manifest lists this assembly in NestedModules, which PowerShell
    /// imports before the RootModule), so it is in place before PowerShell looks at a cmdlet's parameters:
    /// the default load context, asked for Haniwers.Core (which it cannot find: the core is not beside the
    /// cmdlets), is handed the copy in the module's own context, and with it every library the core uses.
    /// The pattern of PowerShell's "Resolving PowerShell module assembly dependency conflicts"
    /// (docs/architecture.md, "Loading"). PowerShell does not look into other load contexts for a type
    /// a script names ([Haniwers.Analysis.ThresholdFit]), so the core's public types are also made type
    /// accelerators under their full names, as about_Classes shows for a module's own types.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        /// <summary>The folder, beside this assembly, that holds the core and its libraries.</summary>
        public const string DependencyFolder = "dependencies";

        private const string CoreAssembly = "Haniwers.Core";

        /// <summary>
        /// One context for the process, whatever the imports and removals: a type of the core keeps one
        /// identity (a config object made before Remove-Module still binds after Import-Module).
        /// </summary>
        private static readonly ModuleLoadContext Context = new ModuleLoadContext(
            Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".", DependencyFolder));

        private static int _registered;

        /// <summary>The module's own load context (for the tests that check where an assembly came from).</summary>
        public static AssemblyLoadContext LoadContext => Context;

        public void OnImport()
        {
            // once per process: Import-Module -Force runs this again, and the handler must stay one
            if (Interlocked.Exchange(ref _registered, 1) == 0) AssemblyLoadContext.Default.Resolving += ResolveCore;
            foreach (var type in CoreTypes()) TypeAccelerators.Add(type.FullName!, type);
        }

        // The handler and the type names stay when the module is removed: both are the process's, not a runspace's
        // (another runspace may still have the module: removing the names there broke its format view), the cmdlets'
        // assembly cannot be unloaded from the default context, and the core's types are the same when it comes back.
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
        }

        private static Type[] CoreTypes() => Context.LoadFromAssemblyName(new AssemblyName(CoreAssembly)).GetExportedTypes();

        private static Assembly? ResolveCore(AssemblyLoadContext defaultContext, AssemblyName name) =>
            string.Equals(name.Name, CoreAssembly, StringComparison.Ordinal) ? Context.LoadFromAssemblyName(name) : null;
    }
}
