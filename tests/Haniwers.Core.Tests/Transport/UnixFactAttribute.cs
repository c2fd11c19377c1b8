using System.Runtime.InteropServices;
using Xunit;

namespace Haniwers.Tests.Transport
{
    /// <summary>A fact that needs a Unix host (symbolic links, libc): reported as skipped elsewhere, never as passed.</summary>
    public sealed class UnixFactAttribute : FactAttribute
    {
        public UnixFactAttribute()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) Skip = "needs a Unix host: symbolic links and libc realpath";
        }
    }
}
