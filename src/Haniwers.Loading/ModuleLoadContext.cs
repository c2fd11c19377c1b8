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

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string path = Path.Combine(_folder, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
