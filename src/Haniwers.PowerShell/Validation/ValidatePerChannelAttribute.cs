using System.Collections;
using System.Management.Automation;

namespace Haniwers.PowerShell.Validation
{
    /// <summary>
    /// A per-channel parameter takes one value (for every channel) or three (ch1, ch2, ch3): two would
    /// leave a channel silently at its old value.
    /// </summary>
    public sealed class ValidatePerChannelAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            int count = arguments is ICollection collection ? collection.Count : 1;
            if (count != 1 && count != 3)
            {
                throw new ValidationMetadataException(
                    $"Give one value for all channels or three, one per channel (ch1, ch2, ch3), not {count}: a missing channel would keep its old value without a word.");
            }
        }
    }
}
