using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace Haniwers.Loading
{
    /// <summary>
    /// The module's own load context: Haniwers.Core and the libraries it uses (Tomlyn, CsvHelper,
    /// MathNet.Numerics, OxyPlot) load here from the module's <c>dependencies</c> folder, so another
    /// version of any of them that the session has loaded (another module's Tomlyn, say) neither breaks
    /// this module nor is broken by it. What the folder does not hold (.NET itself, System.IO.Ports,
    /// which PowerShell ships) comes from PowerShell's default context (docs/architecture.md, "Loading").
    /// </summary>
    internal sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private readonly string _folder;

        public ModuleLoadContext(string folder) : base("Haniwers", isCollectible: false) => _folder = folder;

        /// <summary>The folder the module's dependencies are loaded from.</summary>
        public string Folder => _folder;

        /// <summary>
        /// What PowerShell ships and the module uses as PowerShell's (docs/architecture.md): each 10.0 servicing release
        /// of System.IO.Ports raises its assembly version (10.0.0.14 in pwsh 7.6.9), and the core is compiled against
        /// 7.6.9's, so a pwsh 7.6 with an earlier one would refuse the core's reference by version. The copy PowerShell
        /// loaded is given whatever its version: the API of a servicing release does not change.
        /// </summary>
        private static readonly string[] PowerShellShips = { "System.IO.Ports" };

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string path = Path.Combine(_folder, assemblyName.Name + ".dll");
            if (File.Exists(path)) return LoadFromAssemblyPath(path);
            if (Array.IndexOf(PowerShellShips, assemblyName.Name) >= 0)
                return Default.LoadFromAssemblyName(new AssemblyName(assemblyName.Name!));
            return null;
        }
    }
}
