using System;
using System.Management.Automation;
using System.Reflection;

namespace Haniwers.Loading
{
    /// <summary>
    /// PowerShell's table of type names a script may write in brackets. The class is not public; about_Classes
    /// ("Exporting classes with type accelerators") reaches it this way, and so does this module, for the types of
    /// its own load context only. Where the table cannot be reached, type names in brackets do not resolve and
    /// nothing else changes.
    /// </summary>
    internal static class TypeAccelerators
    {
        private static readonly Type? Table = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
        private static readonly MethodInfo? AddMethod = Table?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, new[] { typeof(string), typeof(Type) });

        public static void Add(string name, Type type) => AddMethod?.Invoke(null, new object[] { name, type });
    }
}
