using System;
using System.IO;
using System.Linq;
using Haniwers.Transport;
using Xunit;

namespace Haniwers.Tests.Transport
{
    /// <summary>Port listing and "auto" against a made-up /sys/class/tty tree.</summary>
    public sealed class PortCatalogTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "haniwers-tty-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        private void AddPort(string name, string? vendor = null, string? product = null, string? description = null, string? serial = null)
        {
            string device = Path.Combine(_root, name, "device");
            Directory.CreateDirectory(device);
            if (vendor is not null) File.WriteAllText(Path.Combine(device, "idVendor"), vendor + "\n");
            if (product is not null) File.WriteAllText(Path.Combine(device, "idProduct"), product + "\n");
            if (description is not null) File.WriteAllText(Path.Combine(device, "product"), description + "\n");
            if (serial is not null) File.WriteAllText(Path.Combine(device, "serial"), serial + "\n");
        }

        [Fact]
        public void ListsUsbSerialPortsWithWhatTheSystemSaysAndSkipsPhantomPorts()
        {
            AddPort("ttyUSB0", "1a86", "7523", "USB Serial", "A1");
            AddPort("ttyACM0", "16c0", "0483", "Teensy");
            AddPort("ttyS0");
            var ports = PortCatalog.List(_root);
            if (Environment.OSVersion.Platform != PlatformID.Unix) return; // Windows lists SerialPort names instead
            Assert.Equal(new[] { "/dev/ttyACM0", "/dev/ttyUSB0" }, ports.Select(p => p.PortName));
            var ch340 = ports.Single(p => p.PortName == "/dev/ttyUSB0");
            Assert.Equal("1a86", ch340.VendorId);
            Assert.Equal("7523", ch340.ProductId);
            Assert.Equal("USB Serial", ch340.Description);
            Assert.Equal("A1", ch340.SerialNumber);
            Assert.True(ch340.LooksLikeDetector);
            Assert.False(ports.Single(p => p.PortName == "/dev/ttyACM0").LooksLikeDetector);
        }

        [Fact]
        public void FollowsSysfsRelativeLinksToTheUsbDevice()
        {
            if (Environment.OSVersion.Platform != PlatformID.Unix) return;
            // as in sysfs: class/tty/ttyUSB0 -> ../../devices/.../ttyUSB0/tty/ttyUSB0, whose device -> ../../../ttyUSB0
            string usb = Path.Combine(_root, "devices", "usb1", "1-1");
            string tty = Path.Combine(usb, "1-1:1.0", "ttyUSB0", "tty", "ttyUSB0");
            Directory.CreateDirectory(tty);
            File.WriteAllText(Path.Combine(usb, "idVendor"), "0403\n");
            File.WriteAllText(Path.Combine(usb, "idProduct"), "6001\n");
            Directory.CreateDirectory(Path.Combine(_root, "class", "tty"));
            Directory.CreateSymbolicLink(Path.Combine(_root, "class", "tty", "ttyUSB0"), "../../devices/usb1/1-1/1-1:1.0/ttyUSB0/tty/ttyUSB0");
            Directory.CreateSymbolicLink(Path.Combine(tty, "device"), "../../../ttyUSB0");
            var port = Assert.Single(PortCatalog.List(Path.Combine(_root, "class", "tty")));
            Assert.Equal("0403", port.VendorId);
            Assert.Equal("6001", port.ProductId);
            Assert.True(port.LooksLikeDetector);
        }

        [Fact]
        public void AutoPicksTheOneDetectorLikePort()
        {
            if (Environment.OSVersion.Platform != PlatformID.Unix) return;
            AddPort("ttyUSB0", "2341", "0043", "Arduino Uno");
            AddPort("ttyACM3", "16c0", "0483", "Teensy");
            Assert.Equal("/dev/ttyUSB0", DeviceLinks.ResolveAuto(_root));
        }

        [Fact]
        public void AutoWithSeveralCandidatesListsWhatItFound()
        {
            if (Environment.OSVersion.Platform != PlatformID.Unix) return;
            AddPort("ttyUSB0", "2341", "0043", "Arduino Uno");
            AddPort("ttyUSB1", "0403", "6001", "FT232R");
            var ex = Assert.Throws<LinkOpenException>(() => DeviceLinks.ResolveAuto(_root));
            Assert.Contains("2 ports look like detectors", ex.Message);
            Assert.Contains("/dev/ttyUSB0 (Arduino Uno, 2341:0043)", ex.Message);
            Assert.Contains("/dev/ttyUSB1", ex.Message);
        }

        [Fact]
        public void AutoWithNoCandidateSaysSo()
        {
            if (Environment.OSVersion.Platform != PlatformID.Unix) return;
            Directory.CreateDirectory(_root);
            var ex = Assert.Throws<LinkOpenException>(() => DeviceLinks.ResolveAuto(_root));
            Assert.Contains("no port looks like a detector", ex.Message);
            Assert.Contains("no serial port at all", ex.Message);
        }

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }
    }
}
